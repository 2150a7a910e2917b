"""The development mail backend (``EMAIL_URL=consolemail://``, the default outside production):
each e-mail goes into the log as a person reads it — who it is to, the subject and the text
body — instead of Django's raw MIME (quoted-printable, cut at 76 characters)."""

import logging
from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger("longcode.mail")


class ReadableConsoleBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            logger.info(
                "E-mail to %s — %s\n%s\n%s",
                ", ".join(message.to),
                message.subject,
                message.body.rstrip("\n"),
                "-" * 72,
            )
        return len(email_messages)
