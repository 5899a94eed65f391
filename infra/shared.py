"""Resource settings that CDK (AWS) and the local stack (moto) both build from.

The table comes from the PynamoDB models (`chalicelib.db.items.table_schema`), the Lambdas from
`functions/registry.py`, the state machines from `infra/statemachines/`; the user pool is
described here, with its password rule from the domain.
"""

from __future__ import annotations

from pathlib import Path

from chalicelib.domain.users import PASSWORD_MIN_LENGTH

ROOT = Path(__file__).resolve().parent.parent
STATE_MACHINES_DIR = ROOT / "infra" / "statemachines"

USER_POOL_NAME = "crm-users"
USER_POOL_CLIENT_NAME = "crm-api"
USER_POOL_PASSWORD_MIN_LENGTH = PASSWORD_MIN_LENGTH
# Users log in with USER_PASSWORD_AUTH through the API (the CRM resolves slug + email to the
# Cognito username); SRP stays available for a future hosted UI.
USER_POOL_AUTH_FLOWS = ("ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH")
ACCESS_TOKEN_MINUTES = 60
REFRESH_TOKEN_DAYS = 30

TTL_ATTRIBUTE = "ttl"

# Browsers upload straight to the files bucket (presigned POST) and read from it (presigned GET).
FILES_CORS_METHODS = ("GET", "POST", "PUT", "HEAD")
FILES_CORS_MAX_AGE = 3600
# Where the CRM's own emails come from, unless the deployment says otherwise (-c mail_from=...):
# its domain must be a verified SES identity in the account.
DEFAULT_MAIL_FROM = "CRM <no-reply@example.com>"

# IAM actions CDK grants for `functions/registry.py` Access values that are not resource grants
# (the table and bucket grants are CDK's own `grant_*`); infra/local/iam.py enforces the same.
USER_POOL_ADMIN_ACTIONS = (
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminSetUserPassword",
    "cognito-idp:AdminDeleteUser",
    "cognito-idp:AdminDisableUser",
    "cognito-idp:AdminEnableUser",
    # Deactivating a user also ends their sessions (refresh tokens).
    "cognito-idp:AdminUserGlobalSignOut",
)
# The API also logs users in (InitiateAuth needs no IAM, but scoping it keeps the policy honest).
API_USER_POOL_ACTIONS = (*USER_POOL_ADMIN_ACTIONS, "cognito-idp:InitiateAuth")
SECRET_ACTIONS = ("ssm:PutParameter", "ssm:GetParameter", "ssm:DeleteParameter")
