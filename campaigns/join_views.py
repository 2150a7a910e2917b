"""``/join/<token>/``: following a campaign's invite link. A signed-in person joins with one
click; a newcomer creates an account (name, e-mail, password) on the way; either lands on their
assignment in the messenger, in the campaign's organization.

Limited like the sign-in (``accounts.limits``): a link that opens no campaign (a guess) and a
refused sign-up (which could tell whether an address has an account) count as failed sign-ins
from the address, which is then refused with the lockout message and 429."""

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from accounts.limits import attempt_failed, attempts_limited
from accounts.models import User
from campaigns.invite_links import (
    InviteLinkError,
    InviteLinkUnknown,
    invite_link_campaign,
    invite_link_follow,
)
from offices.middleware import ORGANIZATION_SESSION_KEY


class JoinSignUpForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(label="E-mail")
    password = forms.CharField(widget=forms.PasswordInput, strip=False)

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError(
                "An account with this e-mail exists already: sign in to join."
            )
        return email

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        validate_password(password)
        return password


@attempts_limited
def join(request: HttpRequest, token: str) -> HttpResponseBase:
    try:
        campaign = invite_link_campaign(token=token)
    except InviteLinkError as error:
        if isinstance(error, InviteLinkUnknown):
            attempt_failed(request)
        return render(request, "campaigns/join_refused.html", {"reason": error.message})
    signed_in = request.user if isinstance(request.user, User) else None
    form = None if signed_in else JoinSignUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form is not None and not form.is_valid():
            attempt_failed(request)
            return render(request, "campaigns/join.html", {"campaign": campaign, "form": form})
        try:
            with transaction.atomic():
                user = signed_in or _new_user(form)
                sender = invite_link_follow(token=token, user=user)
        except InviteLinkError as error:
            return render(request, "campaigns/join_refused.html", {"reason": error.message})
        if signed_in is None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[ORGANIZATION_SESSION_KEY] = campaign.organization_id
        messages.success(request, f"You are a sender of “{campaign.name}”.")
        return redirect("messenger:assignment", pk=sender.campaign_id)
    return render(request, "campaigns/join.html", {"campaign": campaign, "form": form})


def _new_user(form: JoinSignUpForm | None) -> User:
    assert form is not None  # only a person not signed in fills the form
    data = form.cleaned_data
    return User.objects.create_user(
        email=data["email"],
        password=data["password"],
        first_name=data["first_name"],
        last_name=data["last_name"],
    )
