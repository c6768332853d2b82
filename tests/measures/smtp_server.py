"""A real SMTP server for the tests (aiosmtpd), on a free local port, keeping what it receives."""

from __future__ import annotations

import email
import email.policy
from contextlib import contextmanager

from aiosmtpd.controller import Controller

from tests.ports import free_port


class _Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"


@contextmanager
def smtp_server():
    """Yields (port, inbox); the server stops on exit."""
    inbox = _Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


def mailers_for(port: int) -> dict:
    """MAILERS sending through the SMTP server on ``port`` (plain, no TLS: it is local)."""
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 10},
        }
    }
