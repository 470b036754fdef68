"""A real SMTP server on this machine (aiosmtpd) that keeps what it receives, for tests of
the emails the app sends."""

import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

# How long a test waits for an email the app sends after answering.
ARRIVAL_TIMEOUT_SECONDS = 20


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, _server, _session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        with self._arrived:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int) -> list[EmailMessage]:
        """The first `count` messages, once they have arrived."""
        with self._arrived:
            arrived = self._arrived.wait_for(
                lambda: len(self.messages) >= count, ARRIVAL_TIMEOUT_SECONDS
            )
        assert arrived, f"{count} email(s) expected, {len(self.messages)} arrived"
        return self.messages[:count]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def wait_for_mail_to(self, address: str) -> EmailMessage:
        """The newest message to `address`, once one has arrived."""
        with self._arrived:
            arrived = self._arrived.wait_for(lambda: self.to(address), ARRIVAL_TIMEOUT_SECONDS)
        assert arrived, f"no email to {address} arrived"
        return arrived[-1]


def link_in(message: EmailMessage) -> str:
    """The one link in a plain-text email."""
    [link] = re.findall(r"https?://\S+", message.get_content())
    return link


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_mailbox() -> Iterator[tuple[Mailbox, str]]:
    """The mailbox and the SMTP_URL that reaches it."""
    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()
