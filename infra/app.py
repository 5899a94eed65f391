"""CDK entry point: `python -m infra.app` (or the CDK CLI through cdk.json) synthesizes the stack.

The stage comes from the context (`-c stage=prod`, default `dev`); the stack is `crm-<stage>`.
The web app's address is required (`-c app_url=https://crm.acme.example`): links in emails point
there and it is the only origin the API allows, so no stage is deployed pointing at localhost.
No AWS account is needed to synthesize: the stack is environment-agnostic.
"""

from __future__ import annotations

import os

import aws_cdk as cdk

from infra.shared import DEFAULT_MAIL_FROM, ROOT
from infra.stacks import CrmStack, scratch_workdir


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
        )
        app.synth()


if __name__ == "__main__":
    main()
