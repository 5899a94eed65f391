"""The demo CRM of the local stack, created through the same service as `POST /v1/crms`."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.bootstrap import services
from chalicelib.db.repositories.crms import CrmRepository
from chalicelib.domain.clock import utcnow
from chalicelib.domain.contacts import ChannelType, ContactKind
from chalicelib.domain.tasks import TaskType
from chalicelib.domain.users import TelephonyMode, principal_name
from chalicelib.observability import logger
from chalicelib.services.contacts import ContactInput
from chalicelib.services.crms import NewCrm, NewUser, PbxCredentials

DEMO_SLUG = "demo"
DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"
# PBX API keys the local fake Zadarma API accepts: the demo CRM's, and the README's example.
PBX_ACCOUNTS = {"demo-key": "demo-secret", "your-zadarma-key": "your-zadarma-secret"}
DEMO_CLIENT_PHONE = "+33612345678"
DEMO_CLIENT_EMAIL = "office@acme-dental.example"


def seed_demo() -> bool:
    """Create the demo CRM unless it exists (restored from a previous run); True if created."""
    if CrmRepository().resolve_slug(DEMO_SLUG) is not None:
        return False
    created = services().crms.create(
        NewCrm(
            name="Demo",
            admin=NewUser(name="Dana Demo", email=DEMO_EMAIL, extension="100"),
            admin_password=DEMO_PASSWORD,
            pbx=PbxCredentials(api_key="demo-key", api_secret=PBX_ACCOUNTS["demo-key"]),
            users=(
                NewUser(name="Manon Manager", email="manon@example.com", extension="101"),
                NewUser(name="Theo Trainee", email="theo@example.com", extension="102"),
            ),
        )
    )
    seed_demo_work(principal_name(created.crm.id, created.admin.id))
    return True


def seed_demo_history() -> None:
    """Weeks of past work in the demo CRM (the local stack runs it beside the API, once seeded)."""
    from infra.local.demo_history import seed_history

    tenant_id = CrmRepository().resolve_slug(DEMO_SLUG)
    admin_id = services().storage.users(tenant_id).find_id_by_email(DEMO_EMAIL) if tenant_id else None
    if tenant_id is None or admin_id is None:
        return
    made = seed_history(tenant_id, DEMO_SLUG, principal_name(tenant_id, admin_id), PBX_ACCOUNTS["demo-key"])
    logger.info(
        "demo history written",
        extra={"leads": made.leads, "clients": made.clients, "deals": made.deals, "calls": made.calls},
    )


def seed_demo_work(principal: str) -> None:
    """A client, a deal and a few tasks, so a first look finds a feed, a board and a calendar.

    The first reminder is due two minutes after start-up and the SMS task after four: the
    console shows the reminder email and the (fake) SMS when the scheduled function fires them.
    """
    actor = services().auth.actor(principal)
    # Softphone mode: clicking a number makes the fake PBX ring extension 100 and play the call
    # into the log, the whole telephony loop on a laptop. Settings > Profile switches to the web
    # phone (a stand-in phone locally).
    services().profile.update(actor, None, telephony_mode=TelephonyMode.SOFTPHONE)
    actor = services().auth.actor(principal)
    client = services().contacts.create(
        actor,
        ContactKind.CLIENT,
        ContactInput(
            name="Acme Dental",
            phones=[(DEMO_CLIENT_PHONE, ChannelType.WORK)],
            emails=[(DEMO_CLIENT_EMAIL, ChannelType.WORK)],  # the demo mailbox's mail comes from it
        ),
    )
    services().deals.create(actor, "Yearly maintenance", client.id, "4800", None)
    now = utcnow().replace(second=0, microsecond=0)
    tasks = services().tasks
    tasks.create(
        actor,
        {"type": TaskType.CALL, "title": "Call Acme about the renewal", "start": now + timedelta(minutes=3),
         "remind_minutes_before": 1, "contact_ids": [client.id], "phone": "+33612345678"},
    )  # fmt: skip
    tasks.create(
        actor,
        {"type": TaskType.SMS, "title": "Appointment reminder", "start": now + timedelta(minutes=4),
         "sms_text": "Reminder: your appointment is tomorrow at 11:00.", "contact_ids": [client.id],
         "remind_minutes_before": None},
    )  # fmt: skip
    tasks.create(
        actor,
        {"type": TaskType.VIDEO, "title": "Demo for the new team", "start": now + timedelta(days=1, hours=2),
         "end": now + timedelta(days=1, hours=3), "meeting_url": "https://meet.example.com/demo"},
    )  # fmt: skip
