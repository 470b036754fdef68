"""Emails the app sends (password reset links), through the SMTP server SMTP_URL names, with
the standard library's smtplib: called from a worker thread, never on the event loop.

Without SMTP_URL, development writes the message to the log (the link included, so the
flow can be tried); any other APP_ENV refuses to send and logs only that it did."""

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import unquote, urlsplit

from app.core.config import SMTP_SCHEMES, Settings

logger = logging.getLogger(__name__)
SMTP_TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    # What the development log shows instead of sending: the one line that matters.
    link: str


def _message(email: Email, settings: Settings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender_address
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.relying_party_id or None)
    message.set_content(email.text)
    return message


def _send_through_smtp(message: EmailMessage, smtp_url: str) -> None:
    parts = urlsplit(smtp_url)
    default_port, security = SMTP_SCHEMES[parts.scheme]
    port = parts.port or default_port
    context = ssl.create_default_context()
    if security == "tls":
        connection = smtplib.SMTP_SSL(
            parts.hostname, port, timeout=SMTP_TIMEOUT_SECONDS, context=context
        )
    else:
        connection = smtplib.SMTP(parts.hostname, port, timeout=SMTP_TIMEOUT_SECONDS)
    with connection as smtp:
        if security == "starttls":
            smtp.starttls(context=context)
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(message)


def send(email: Email, settings: Settings) -> bool:
    """Sends the email; whether it went. Failures are logged without the address or link
    (they are the person's and a way into their account)."""
    if not settings.smtp_url:
        if settings.is_development:
            logger.warning(
                "SMTP_URL is not set, so this email was written here instead of sent. "
                "To: %s. Subject: %s. Link: %s",
                email.to,
                email.subject,
                email.link,
            )
        else:
            logger.error(
                "An email was not sent: SMTP_URL is not set (APP_ENV=%s). Set it to the "
                "mail server the app sends through.",
                settings.app_env,
            )
        return False
    try:
        _send_through_smtp(_message(email, settings), settings.smtp_url)
    except (OSError, smtplib.SMTPException) as error:
        logger.error("An email could not be sent through SMTP_URL (%s)", type(error).__name__)
        return False
    return True
