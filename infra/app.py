"""CDK entry point: `python -m infra.app` (or the CDK CLI through cdk.json) synthesizes the stack.

The stage comes from the context (`-c stage=prod`, default `dev`); the stack is `crm-<stage>`.
The web app's address is required (`-c app_url=https://crm.acme.example`): links in emails point
there and it is the only origin the API allows, so no stage is deployed pointing at localhost.
The built web app (`web/dist`, `make web`) is deployed to S3 behind CloudFront, with the API on
the same origin; `-c certificate_arn=...` (ACM, us-east-1) serves it on app_url's own domain.
`-c alarm_email=...` subscribes an address to the alarms; `-c log_retention_days=...` (default 30).
No AWS account is needed to synthesize: the stack is environment-agnostic.
"""

from __future__ import annotations

import os

import aws_cdk as cdk

from infra.shared import DEFAULT_MAIL_FROM, ROOT
from infra.stacks import CrmStack, scratch_workdir
from infra.stacks.operations import DEFAULT_LOG_RETENTION_DAYS


def main() -> None:
    # The CDK CLI passes its output directory in CDK_OUTDIR; run directly, we write cdk.out/.
    outdir = None if os.environ.get("CDK_OUTDIR") else str(ROOT / "cdk.out")
    app = cdk.App(outdir=outdir)
    stage = str(app.node.try_get_context("stage") or "dev")
    app_url = str(app.node.try_get_context("app_url") or "")
    if not app_url:
        raise SystemExit(
            "the web app's address is missing: pass -c app_url=https://crm.example.com (make synth APP_URL=...)"
        )
    web_dist = ROOT / "web" / "dist"
    if not (web_dist / "index.html").is_file():
        raise SystemExit("the web app is not built: run `make web` (make synth and make deploy do)")
    certificate_arn = app.node.try_get_context("certificate_arn")
    with scratch_workdir():
        CrmStack(
            app,
            f"crm-{stage}",
            stage=stage,
            description=f"CRM ({stage})",
            # -c mail_from="Acme CRM <crm@acme.example>": a sender on a verified SES domain.
            mail_from=str(app.node.try_get_context("mail_from") or DEFAULT_MAIL_FROM),
            # The web app: links in emails, and the one origin the API allows (CORS).
            app_url=app_url,
            web_dist=web_dist,
            web_certificate_arn=str(certificate_arn) if certificate_arn else None,
            # -c google_client_id=... -c google_client_secret=...: the OAuth client of the Google
            # Calendar sync (issue 19); without them its routes answer 503.
            google_client_id=app.node.try_get_context("google_client_id"),
            google_client_secret=app.node.try_get_context("google_client_secret"),
            # -c log_retention_days=90: how long every log group keeps its lines (default 30).
            log_retention_days=int(app.node.try_get_context("log_retention_days") or DEFAULT_LOG_RETENTION_DAYS),
            # -c alarm_email=ops@acme.example: the alarms' SNS topic e-mails there (to confirm once).
            alarm_email=app.node.try_get_context("alarm_email") or None,
            # -c table_name=crm-prod-restored-...: use a table restored from a backup instead of the
            # stack's own (docs/operations.md, the restore drill).
            table_name=app.node.try_get_context("table_name") or None,
        )
        app.synth()


if __name__ == "__main__":
    main()
