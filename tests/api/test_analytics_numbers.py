"""The figures of the analytics reports and the dashboard, from a known history (AN-1, AN-4, DB-1..7).

Everything is written through the API with a movable clock; the reports must give exactly the
numbers a person counting by hand would give.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from tests.fakes.clock import ManualClock
from tests.harness import Api, CrmSession


def company(api: Api, crm: CrmSession, usd_rate: str) -> None:
    settings = api.get("/v1/settings/company", token=crm.token).json
    reply = api.request(
        "PUT",
        "/v1/settings/company",
        {**{k: settings[k] for k in ("name", "country", "timezone")}, "base_currency": "EUR",
         "currencies": [{"code": "USD", "rate": usd_rate}]},
        token=crm.token,
    )  # fmt: skip
    assert reply.status == 200, reply.json


def new_deal(api: Api, crm: CrmSession, client_id: str, amount: str, currency: str) -> str:
    body = {"title": f"{amount} {currency}", "client_id": client_id, "value": {"amount": amount, "currency": currency}}
    reply = api.post("/v1/deals", body, token=crm.token)
    assert reply.status == 201, reply.json
    return str(reply.json["id"])


def move(api: Api, crm: CrmSession, deal_id: str, status: str) -> None:
    reply = api.request("PATCH", f"/v1/deals/{deal_id}", {"status": status}, token=crm.token)
    assert reply.status == 200, reply.json


def report(api: Api, crm: CrmSession, name: str, query: str) -> dict:
    reply = api.get(f"/v1/analytics/{name}?{query}", token=crm.token)
    assert reply.status == 200, reply.json
    return dict(reply.json)


def test_deals_report_counts_conversion_funnel_and_won_value_at_the_stored_rate(
    api: Api, make_crm, clock: ManualClock
) -> None:
    crm: CrmSession = make_crm()
    company(api, crm, usd_rate="0.5")
    client = api.post("/v1/clients", {"name": "Acme"}, token=crm.token).json["id"]
    # Days are the company's: near midnight UTC, Paris is already tomorrow.
    zone = ZoneInfo(api.get("/v1/settings/company", token=crm.token).json["timezone"])
    day0 = clock().astimezone(zone).date()
    in_euros = new_deal(api, crm, client, "100.00", "EUR")
    in_dollars = new_deal(api, crm, client, "200.00", "USD")
    lost = new_deal(api, crm, client, "50.00", "EUR")
    clock.advance(days=2)
    move(api, crm, in_euros, "in_progress")
    move(api, crm, in_euros, "success")
    move(api, crm, lost, "canceled")
    clock.advance(days=2)
    move(api, crm, in_dollars, "decision")
    move(api, crm, in_dollars, "success")
    company(api, crm, usd_rate="0.8")  # later rates do not change what was won

    body = report(api, crm, "deals", f"from={day0}&to={day0 + timedelta(days=6)}&interval=day")
    totals = body["totals"]
    assert (totals["created"], totals["won"], totals["canceled"]) == (3, 2, 1)
    assert totals["won_value"] == {"amount": "200.00", "currency": "EUR"}  # 100 EUR + 200 USD at 0.5
    assert abs(totals["conversion"] - 2 / 3) < 1e-9
    assert abs(totals["avg_duration_days"] - 3) < 0.01  # won after 2 and 4 days
    # "Reached this step or beyond": the won deals count in every open step, the canceled one
    # up to the furthest it reached (new).
    funnel = [(step["status"], step["count"]) for step in body["funnel"]]
    assert funnel == [("new", 3), ("in_progress", 2), ("decision", 2), ("payment", 2), ("success", 2), ("canceled", 1)]
    series = {entry["date"]: entry for entry in body["series"]}
    assert series[str(day0)]["created"] == 3
    assert series[str(day0 + timedelta(days=2))]["won"] == 1
    assert series[str(day0 + timedelta(days=4))]["won_value"] == {"amount": "100.00", "currency": "EUR"}


def test_leads_report_and_dashboard_count_what_happened_today(api: Api, make_crm) -> None:
    crm: CrmSession = make_crm()
    for name in ("Ann", "Bob", "Cid"):
        assert api.post("/v1/leads", {"name": name}, token=crm.token).status == 201
    pooled = api.post("/v1/leads", {"name": "Dee", "unsorted": True}, token=crm.token).json
    converted = api.post("/v1/leads", {"name": "Eve"}, token=crm.token).json
    assert api.post(f"/v1/leads/{converted['id']}/close", {"outcome": "client"}, token=crm.token).status == 200
    poor = api.post("/v1/leads", {"name": "Fay"}, token=crm.token).json
    assert api.post(f"/v1/leads/{poor['id']}/close", {"outcome": "poor_quality"}, token=crm.token).status in (
        200,
        204,
    )

    body = report(api, crm, "leads", "interval=day")
    assert body["totals"] == {"created": 6, "converted": 1, "poor_quality": 1}
    assert body["series"][-1]["unsorted"] == 1
    assert {s["lead_source"]: s["count"] for s in body["by_source"]}.get("manual") == 6

    widgets = {w["id"]: w["data"] for w in api.get("/v1/dashboard", token=crm.token).json["widgets"]}
    assert widgets["my_leads"] == {"mine": 3, "unsorted": 1}  # Ann, Bob, Cid (Eve is a client now)
    assert widgets["new_leads"] == {"today": 6, "this_week": 6}
    assert widgets["clients"] == {"total": 1, "new_this_week": 1, "new_today": 1}
    assert pooled["responsible_user_id"] is None
