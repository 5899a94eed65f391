"""Universal search (SPEC CL-1): name words, emails, phone digits; rights on every hit."""

from __future__ import annotations

from chalicelib.domain.rights import Permission
from tests.harness import Api, CrmSession, add_member


def search(api: Api, crm_token: str, q: str) -> list[tuple[str, str]]:
    reply = api.get(f"/v1/search?q={q}", token=crm_token)
    assert reply.status == 200, reply.json
    return [(h["type"], h["title"]) for h in reply.json["items"]]


def test_search_finds_clients_leads_and_users_by_any_word_prefix(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    api.post("/v1/clients", {"name": "Élodie Martin-Dupont"}, token=crm.token)
    api.post("/v1/leads", {"name": "Marc Dupuis"}, token=crm.token)

    both = {("client", "Élodie Martin-Dupont"), ("lead", "Marc Dupuis")}
    assert set(search(api, crm.token, "dup")) == both
    assert search(api, crm.token, "elo") == [("client", "Élodie Martin-Dupont")]
    assert search(api, crm.token, "MARTIN") == [("client", "Élodie Martin-Dupont")]
    assert set(search(api, crm.token, "mar dup")) == both
    assert search(api, crm.token, "marc dup") == [("lead", "Marc Dupuis")]
    assert search(api, crm.token, "ada") == [("user", "Ada Admin")]


def test_search_by_full_number_or_last_digits_and_by_email(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    api.post(
        "/v1/clients",
        {"name": "Acme", "phones": [{"phone": "+33 6 12 34 56 78"}], "emails": [{"email": "sales@acme.example.com"}]},
        token=crm.token,
    )
    assert search(api, crm.token, "%2B33612345678") == [("client", "Acme")]
    assert search(api, crm.token, "5678") == [("client", "Acme")]
    assert search(api, crm.token, "06 12 34 56 78") == []  # a local format is not the stored number
    assert search(api, crm.token, "sales@acme") == [("client", "Acme")]


def test_search_follows_renames_phone_changes_conversion_and_deletion(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    prospect = api.post("/v1/leads", {"name": "Old Name", "phones": [{"phone": "+33611111111"}]}, token=crm.token).json
    api.request(
        "PATCH",
        f"/v1/leads/{prospect['id']}",
        {"version": 1, "name": "New Name", "phones": [{"phone": "+33622222222"}]},
        token=crm.token,
    )
    assert search(api, crm.token, "old") == []
    assert search(api, crm.token, "1111") == []
    assert search(api, crm.token, "2222") == [("lead", "New Name")]
    api.post(f"/v1/leads/{prospect['id']}/close", {"outcome": "client"}, token=crm.token)
    assert search(api, crm.token, "new") == [("client", "New Name")]
    api.request("DELETE", f"/v1/clients/{prospect['id']}", token=crm.token)
    assert search(api, crm.token, "new") == []


def test_search_shows_only_the_contacts_the_user_may_see(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    seller = add_member(api, crm, {Permission.CUSTOMERS_CREATE})
    api.post("/v1/clients", {"name": "Zeta Mine"}, token=seller.token)
    api.post("/v1/clients", {"name": "Zeta Theirs"}, token=crm.token)

    assert search(api, seller.token, "zeta") == [("client", "Zeta Mine")]
    assert set(search(api, crm.token, "zeta")) == {("client", "Zeta Mine"), ("client", "Zeta Theirs")}


def test_a_search_too_short_is_400_on_q(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    assert api.get("/v1/search?q=12", token=crm.token).error["field"] == "q"
    assert api.get("/v1/search?q=--", token=crm.token).error["field"] == "q"


def test_another_crms_contacts_are_never_found(api: Api, make_crm) -> None:
    mine, other = make_crm(), make_crm()
    api.post("/v1/clients", {"name": "Secretive Corp"}, token=other.token)
    assert search(api, mine.token, "secret") == []


def test_search_finds_deals_by_title_words_and_follows_renames_and_deletion(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    client = api.post("/v1/clients", {"name": "Acme"}, token=crm.token).json
    created = api.post("/v1/deals", {"title": "Website Redesign", "client_id": client["id"],
                                     "value": {"amount": "1200"}}, token=crm.token)  # fmt: skip
    assert created.status == 201, created.json
    deal = created.json

    reply = api.get("/v1/search?q=redes", token=crm.token)
    assert reply.json["items"] == [
        {"type": "deal", "id": deal["id"], "title": "Website Redesign", "subtitle": "1200.00 EUR · new"}
    ]
    assert search(api, crm.token, "web red") == [("deal", "Website Redesign")]
    api.request("PATCH", f"/v1/deals/{deal['id']}", {"version": 1, "title": "Mobile App"}, token=crm.token)
    assert search(api, crm.token, "website") == []
    assert search(api, crm.token, "mobile") == [("deal", "Mobile App")]
    api.request("DELETE", f"/v1/deals/{deal['id']}", token=crm.token)
    assert search(api, crm.token, "mobile") == []


def test_search_shows_only_the_deals_the_user_may_see(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    seller = add_member(api, crm, {Permission.CUSTOMERS_CREATE})
    client = api.post("/v1/clients", {"name": "Acme"}, token=crm.token).json
    own_client = api.post("/v1/clients", {"name": "Own"}, token=seller.token).json
    api.post("/v1/deals", {"title": "Quarterly Audit", "client_id": client["id"], "value": {"amount": "1"}},
             token=crm.token)  # fmt: skip
    api.post("/v1/deals", {"title": "Quarterly Review", "client_id": own_client["id"], "value": {"amount": "1"}},
             token=seller.token)  # fmt: skip

    assert sorted(search(api, crm.token, "quarterly")) == [("deal", "Quarterly Audit"), ("deal", "Quarterly Review")]
    assert search(api, seller.token, "quarterly") == [("deal", "Quarterly Review")]
