from http import HTTPStatus
from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.decorators import method_decorator

from accounts.limits import attempt_failed, attempts_limited


@method_decorator(attempts_limited, name="dispatch")
class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The link of an invite (or a password reset): choose a password. A link that does not
    check out counts as a failed sign-in, for the account it names and the address it came
    from, so links cannot be guessed at speed. A link that does is answered with a redirect to
    the form (Django keeps its token in the session; ``validlink`` is still False then), which
    is no failure."""

    success_url = "/accounts/login/?password_set=1"
    post_reset_login = False

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = super().dispatch(request, *args, **kwargs)
        if not self.validlink and response.status_code != HTTPStatus.FOUND:
            attempt_failed(request, username=self.user.email if self.user else "")
        return response
