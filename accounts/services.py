from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from notifications.services import notification_enqueue


def set_password_path(user: User) -> str:
    """The set-password link (an invite's or a password reset's): works once, and for
    PASSWORD_RESET_TIMEOUT, or until the password changes (Django's token)."""
    return reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


def password_reset_request(*, email: str) -> None:
    """Writes a password-reset e-mail to the outbox if an active account has this address, and
    nothing otherwise: the page answers the same either way, so it tells no one which
    addresses have accounts. An invited person who has not chosen a password yet (an unusable
    one) gets the link too: it is how they recover a lost or expired invite."""
    user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
    if user is None:
        return
    now = timezone.now()
    notification_enqueue(
        event=f"password_reset:{user.pk}:{now.isoformat()}",
        recipient=user.email,
        template="accounts/password_reset",
        context={
            "user": user,
            "set_password_path": set_password_path(user),
            "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        },
        time_zone=settings.TIME_ZONE,
    )
