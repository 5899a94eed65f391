"""The API Lambda: the Chalice app, its blueprints and middleware. Nothing else."""

from chalice import Chalice

from chalicelib.api import (
    calls,
    contacts,
    crms,
    deals,
    groups,
    imports,
    invitations,
    me,
    properties,
    search,
    sessions,
    settings,
    sources,
    system,
    tasks,
    users,
    webhooks,
    working_hours,
)
from chalicelib.api.middleware import observe
from chalicelib.api.routing import API_PREFIX

app = Chalice(app_name="crm")
app.register_middleware(observe, "http")
BLUEPRINTS = (
    system,
    crms,
    sessions,
    me,
    users,
    groups,
    invitations,
    working_hours,
    settings,
    contacts,
    imports,
    search,
    sources,
    properties,
    deals,
    tasks,
    calls,
    webhooks,
)
for module in BLUEPRINTS:
    app.register_blueprint(module.router.blueprint, url_prefix=API_PREFIX)
