"""An SMTP server that catches what the CRM sends (aiosmtpd, in-process): `make run`'s mailboxes
send through it, and the tests check what arrived. Nothing leaves the machine.

Logins: any user and password are accepted unless `users` names the only valid ones (a test of
a refused login); recipients listed in `refuse` get a 550 (a test of a refused address).
"""

from __future__ import annotations

import logging
import threading
import warnings
from dataclasses import dataclass
from email import message_from_bytes, policy
from typing import Any


@dataclass(frozen=True, slots=True)
class CaughtMail:
    sender: str
    recipients: tuple[str, ...]
    data: bytes

    @property
    def message(self) -> Any:
        return message_from_bytes(self.data, policy=policy.default)


class SmtpCatcher:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        users: dict[str, str] | None = None,
        refuse: frozenset[str] = frozenset(),
    ) -> None:
        self.host = host
        self.port = port
        self.users = users
        self.refuse = set(refuse)
        self.caught: list[CaughtMail] = []
        self._lock = threading.Lock()
        self._controller: Any = None

    def start(self) -> SmtpCatcher:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        catcher = self

        def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
            if catcher.users is None:
                return AuthResult(success=True)
            login = data.login.decode() if isinstance(data.login, bytes) else str(data.login)
            password = data.password.decode() if isinstance(data.password, bytes) else str(data.password)
            return AuthResult(success=catcher.users.get(login) == password, handled=False)

        class Handler:
            async def handle_RCPT(  # noqa: N802 (aiosmtpd's name)
                self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
            ) -> str:
                if address.lower() in catcher.refuse:
                    return "550 5.1.1 No such user here"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
                mail = CaughtMail(envelope.mail_from, tuple(envelope.rcpt_tos), bytes(envelope.content))
                with catcher._lock:
                    catcher.caught.append(mail)
                return "250 OK"

        # "AUTH without TLS" is this local catcher's purpose: aiosmtpd says so as a warning and a
        # log line on every connection, which would only alarm whoever runs `make run`.
        warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
        logging.getLogger("mail.log").setLevel(logging.ERROR)
        self._controller = self._make(Controller, Handler(), authenticate)
        self._controller.start()
        self.port = int(self._controller.port)
        return self

    def _make(self, controller: Any, handler: Any, authenticate: Any) -> Any:
        return controller(
            handler,
            hostname=self.host,
            port=self.port or _free_port(self.host),
            authenticator=authenticate,
            auth_require_tls=False,
            auth_required=True,
        )

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def taken(self, since: int = 0) -> list[CaughtMail]:
        with self._lock:
            return list(self.caught[since:])


def _free_port(host: str) -> int:
    import socket

    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])
