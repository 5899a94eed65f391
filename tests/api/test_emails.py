"""Emails over HTTP: one email with its attachments' URLs and who may read it, sync now, the
exceptions (EM-6) and the email settings (the CRM's own domains, EM-3)."""

from __future__ import annotations

from collections.abc import Callable

from chalicelib.bootstrap import services
from chalicelib.domain.emails import Direction
from chalicelib.domain.mailboxes import secret_name
from tests.email.helpers import mailbox, message
from tests.harness import Api, CrmSession, add_member


def test_an_email_with_html_and_attachment_urls_and_who_may_read_it(
    api: Api, make_crm: Callable[..., CrmSession]
) -> None:
    crm = make_crm()
    made = api.post("/v1/clients", {"name": "Anna", "emails": [{"email": "anna@example.org"}]}, token=crm.token)
    assert made.status == 201
    box = mailbox(crm.admin["id"])  # personal: the admin's
    services().storage.mailboxes(crm.id).create(box, 20)
    raw = message("Anna <anna@example.org>", subject="Prices", html="<p>Hi<script>x()</script></p>", attachment=b"%PDF")
    stored = services().email_archive.store(crm.id, box, raw, direction=Direction.IN)
    assert stored is not None

    got = api.get(f"/v1/emails/{stored.id}", token=crm.token)
    assert got.status == 200, got.json
    body = got.json
    assert body["from"] == "anna@example.org"
    assert body["direction"] == "in"
    assert body["subject"] == "Prices"
    assert body["contact"] == {"type": "client", "id": made.json["id"]}
    assert "script" not in body["html"]
    assert body["thread_id"]
    assert [(a["name"], a["size"]) for a in body["attachments"]] == [("offer.pdf", 4)]
    assert body["attachments"][0]["url"].startswith("http")

    # A user who sees neither the mailbox nor the client: 404, as for an email that does not exist.
    member = add_member(api, crm)
    assert api.get(f"/v1/emails/{stored.id}", token=member.token).status == 404
    assert api.get("/v1/emails/01HZZZZZZZZZZZZZZZZZZZZZZZ", token=crm.token).status == 404
    # The client's responsible user sees it through the client (the mailbox is not theirs).
    from chalicelib.domain.rights import Permission

    viewer = add_member(api, crm, frozenset({Permission.CUSTOMERS_VIEW_ALL}))
    assert api.get(f"/v1/emails/{stored.id}", token=viewer.token).status == 200
    # Members may not manage exceptions.
    assert api.post("/v1/email/exceptions", {"pattern": "@x.example"}, token=member.token).status == 403


def test_sync_now_reports_a_dead_server_as_an_error(api: Api, make_crm: Callable[..., CrmSession]) -> None:
    crm = make_crm()
    box = mailbox(crm.admin["id"], port=1)  # nothing listens on port 1
    services().storage.mailboxes(crm.id).create(box, 20)
    services().secrets.put(crm.id, secret_name(box.id), {"imap": "pw", "smtp": "pw"})
    reply = api.post(f"/v1/email/integrations/{box.id}/sync", token=crm.token)
    assert reply.status == 202, reply.json
    assert reply.json["status"] == "error"
    shown = api.get(f"/v1/email/integrations/{box.id}", token=crm.token).json
    assert shown["status"] == "error"
    assert "unreachable" in shown["last_error"]
    assert api.post("/v1/email/integrations/nope/sync", token=crm.token).status == 404


def test_exceptions_and_settings(api: Api, make_crm: Callable[..., CrmSession]) -> None:
    crm = make_crm()
    made = api.post("/v1/email/exceptions", {"pattern": "@Spam.Example"}, token=crm.token)
    assert made.status == 201, made.json
    assert made.json["pattern"] == "@spam.example"
    again = api.post("/v1/email/exceptions", {"pattern": "@spam.example"}, token=crm.token)
    assert again.json["id"] == made.json["id"]
    bad = api.post("/v1/email/exceptions", {"pattern": "not an address"}, token=crm.token)
    assert bad.status == 400
    assert bad.error["field"] == "pattern"
    listed = api.get("/v1/email/exceptions", token=crm.token).json["items"]
    assert [e["pattern"] for e in listed] == ["@spam.example"]
    assert api.request("DELETE", f"/v1/email/exceptions/{made.json['id']}", token=crm.token).status == 204
    assert api.request("DELETE", f"/v1/email/exceptions/{made.json['id']}", token=crm.token).status == 404

    assert api.get("/v1/settings/email", token=crm.token).json == {"own_domains": [], "version": 0}
    saved = api.request("PUT", "/v1/settings/email", {"own_domains": ["Acme.Example", "@acme.fr"]}, token=crm.token)
    assert saved.status == 200, saved.json
    assert saved.json == {"own_domains": ["acme.example", "acme.fr"], "version": 1}
    stale = api.request("PUT", "/v1/settings/email", {"own_domains": [], "version": 0}, token=crm.token)
    assert stale.status == 409
    wrong = api.request("PUT", "/v1/settings/email", {"own_domains": ["ok.example", "no way"]}, token=crm.token)
    assert wrong.status == 400
    assert wrong.error["field"] == "own_domains[1]"
