from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator

from accounts.forms import PasswordResetRequestForm
from accounts.limits import attempt_failed, attempts_limited
from accounts.reset_limits import reset_request_refusal
from accounts.services import password_reset_request


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


class PasswordResetView(auth_views.PasswordResetView):
    """Forgot your password: asks for an address and answers "check your e-mail" whether or
    not it has an account. The e-mail goes through the outbox (accounts.services)."""

    form_class = PasswordResetRequestForm  # type: ignore[assignment]
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refusal = reset_request_refusal(request)
        if refusal is not None:
            context = self.get_context_data(form=self.get_form(), refused=refusal.message)
            return self.render_to_response(context, status=refusal.status)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: PasswordResetRequestForm) -> HttpResponse:  # type: ignore[override]
        password_reset_request(email=form.cleaned_data["email"])
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    """The same answer for every address, known or not."""

    extra_context = {"valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600}
