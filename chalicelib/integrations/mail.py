"""Amazon SES (v2 API) as the Mailer for the CRM's own emails."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from chalicelib.domain.errors import UnavailableError
from chalicelib.integrations.aws import client


class SesMailer:
    def __init__(self, sender: str, ses: Any | None = None) -> None:
        self._sender = sender
        self._ses_client = ses

    @property
    def _ses(self) -> Any:
        if self._ses_client is None:
            self._ses_client = client("sesv2")
        return self._ses_client

    def send(self, to: str, subject: str, text: str) -> None:
        try:
            self._ses.send_email(
                FromEmailAddress=self._sender,
                Destination={"ToAddresses": [to]},
                Content={"Simple": {"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}}},
            )
        except ClientError as exc:
            raise UnavailableError("the email could not be sent") from exc
