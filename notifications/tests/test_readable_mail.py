import logging

import environ
from django.core.mail import EmailMultiAlternatives

from config.mailers import mailers_from_url
from notifications.readable_mail import ReadableConsoleBackend

LONG_LINE = "The dedicated number +14152064322 that you requested has completed provisioning é."


def test_the_console_mailer_prints_each_email_as_text(caplog) -> None:
    message = EmailMultiAlternatives(
        subject="+14152064322 is ready: provisioning complete",
        body=f"Hello Ada,\n\n{LONG_LINE}\n",
        to=["ada@example.test"],
    )
    message.attach_alternative("<p>Hello Ada</p>", "text/html")

    with caplog.at_level(logging.INFO, logger="longcode.mail"):
        sent = ReadableConsoleBackend().send_messages([message])

    assert sent == 1
    [record] = caplog.records
    text = record.getMessage()
    assert text.startswith(
        "E-mail to ada@example.test — +14152064322 is ready: provisioning complete\nHello Ada,"
    )
    # Whole lines, decoded: not quoted-printable cut at 76 characters, and no MIME parts.
    assert LONG_LINE in text
    assert "Content-Transfer-Encoding" not in text
    assert "<p>" not in text


def test_consolemail_means_the_readable_console_mailer(monkeypatch) -> None:
    monkeypatch.setenv("EMAIL_URL", "consolemail://")

    mailers = mailers_from_url(environ.Env(), default=None)

    assert mailers["default"]["BACKEND"] == "notifications.readable_mail.ReadableConsoleBackend"
