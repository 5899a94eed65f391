"""One's own profile (SPEC ST-1): contact details, extension, avatar through presigned S3 URLs."""

from __future__ import annotations

import requests

from tests.harness import Api, CrmSession


def patch_me(api: Api, crm: CrmSession, **changes: object):
    version = api.get("/v1/me", token=crm.token).json["version"]
    return api.request("PATCH", "/v1/me", {"version": version, **changes}, token=crm.token)


def test_phones_are_stored_in_e164_reading_local_numbers_in_the_crm_country(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()  # country FR
    reply = patch_me(api, crm, phones=["06 12 34 56 78", "+1 (212) 555-0123", "0612345678"])
    assert reply.status == 200
    assert reply.json["phones"] == ["+33612345678", "+12125550123"]


def test_an_invalid_phone_is_400_naming_its_position(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    reply = patch_me(api, crm, phones=["+33612345678", "12"])
    assert (reply.status, reply.error["field"]) == (400, "phones[1]")


def test_changing_ones_extension_moves_its_guard(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm(users=[{"name": "Bo", "email": "bo@example.com", "extension": "101"}])
    taken = patch_me(api, crm, extension="101")
    moved = patch_me(api, crm, extension="120")
    assert (taken.status, taken.error["field"]) == (409, "extension")
    assert (moved.status, moved.json["extension"]) == (200, "120")
    freed = api.post("/v1/users", {"name": "Cy", "email": "cy@example.com", "extension": "100"}, token=crm.token)
    assert freed.status == 201


def test_locale_and_telephony_preferences(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    reply = patch_me(
        api, crm, language="fr", timezone="America/Montreal", week_start="sunday", telephony_mode="softphone"
    )
    assert reply.status == 200
    body = reply.json
    assert (body["language"], body["timezone"], body["week_start"], body["telephony_mode"]) == (
        "fr",
        "America/Montreal",
        "sunday",
        "softphone",
    )
    assert patch_me(api, crm, telephony_mode="carrier-pigeon").error["field"] == "telephony_mode"
    assert patch_me(api, crm, language="xx").error["field"] == "language"


def test_avatar_is_uploaded_to_s3_with_a_presigned_post_and_read_back(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100

    start = api.post("/v1/me/avatar", {"content_type": "image/png"}, token=crm.token)
    assert start.status == 201
    upload = start.json
    sent = requests.post(
        upload["upload_url"], data=upload["fields"], files={"file": ("a.png", png, "image/png")}, timeout=5
    )

    assert sent.status_code in (200, 204), sent.text
    avatar_url = api.get("/v1/me", token=crm.token).json["avatar_url"]
    assert upload["fields"]["key"].endswith(".png")
    assert requests.get(avatar_url, timeout=5).content == png
    listed = api.get("/v1/users", token=crm.token).json["items"][0]
    assert listed["avatar_url"].split("?")[0] == avatar_url.split("?")[0]


def test_only_images_can_be_avatars(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    reply = api.post("/v1/me/avatar", {"content_type": "application/pdf"}, token=crm.token)
    assert (reply.status, reply.error["field"]) == (400, "content_type")
