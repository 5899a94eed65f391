"""The API Lambda: the Chalice app, its routes and middleware. Nothing else.

Every route is registered here, but its module (models, service) is imported by the first
request it serves (chalicelib/api/routing.install and route_table.py).
"""

from chalice import Chalice

from chalicelib.api.middleware import observe
from chalicelib.api.routing import install

app = Chalice(app_name="crm")
app.register_middleware(observe, "http")
install(app)
