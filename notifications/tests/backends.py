"""Mail backends for tests that need a send to stop part-way, as a killed worker does."""

from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend


class WorkerKilled(BaseException):
    """Not an Exception: like SIGKILL, nothing in the code under test may catch it."""


class InterruptedAfterSend(EmailBackend):
    """Hands the messages to the SMTP server, then dies before the caller learns it worked."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        super().send_messages(email_messages)
        raise WorkerKilled
