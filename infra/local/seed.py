"""The demo CRM of the local stack, created through the same service as `POST /v1/crms`."""

from __future__ import annotations

from chalicelib.bootstrap import services
from chalicelib.db.repositories.crms import CrmRepository
from chalicelib.services.crms import NewCrm, NewUser

DEMO_SLUG = "demo"
DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"


def seed_demo() -> bool:
    """Create the demo CRM unless it exists (restored from a previous run); True if created."""
    if CrmRepository().resolve_slug(DEMO_SLUG) is not None:
        return False
    services().crms.create(
        NewCrm(
            name="Demo",
            admin=NewUser(name="Dana Demo", email=DEMO_EMAIL, extension="100"),
            admin_password=DEMO_PASSWORD,
            users=(
                NewUser(name="Manon Manager", email="manon@example.com", extension="101"),
                NewUser(name="Theo Trainee", email="theo@example.com", extension="102"),
            ),
        )
    )
    return True
