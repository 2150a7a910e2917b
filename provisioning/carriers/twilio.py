"""The Twilio adapter: the carrier protocol as Twilio models it (research/carriers.md §1).

- Search: ``AvailablePhoneNumbers/US/Local`` by area code, SMS enabled.
- Buy: ``IncomingPhoneNumbers``. Twilio takes no idempotency key for a purchase, so our key is
  the number's ``FriendlyName``: before buying (and to settle an answer lost in transit) the
  account's numbers are listed by that name, and a number found is the purchase already made.
- Provisioning: adding the number to the Messaging Service's sender pool
  (``TWILIO_MESSAGING_SERVICE_SID``); the service's US A2P 10DLC campaign registers it. The
  campaign's status is polled (``Compliance/Usa2p``); a number's own registration arrives only
  as Event Streams webhooks (``provisioning.twilio_events``), which the poll reads back from
  ``twilio_state``.
- Release: out of the sender pool, then the number itself; "already gone" is success.
- Messages: sent from the number (or the service) with a status callback; inbound messages and
  status callbacks are form-encoded and signed with ``X-Twilio-Signature``.

Errors (§1.5): HTTP 429 / 20429 honour ``Retry-After``; 5xx and timeouts are transient (and a
purchase that timed out is ambiguous); 21422 is a number sold since the search, 21452 an area
code with nothing to buy; 21712 (a number in another service) is the number's fault, 21714 (the
sender pool is full) the campaign's.

``TWILIO_API_BASE_URL`` and ``TWILIO_MESSAGING_BASE_URL`` point the client elsewhere (the
contract tests point it at Prism serving Twilio's own OpenAPI specs).
"""

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from django.conf import settings
from django.http import QueryDict
from requests.adapters import HTTPAdapter
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from provisioning.carriers.base import (
    AmbiguousWriteError,
    AvailableNumber,
    DeliveryReport,
    DeliveryState,
    FailureScope,
    InboundMessage,
    NoInventory,
    NumberUnavailable,
    OwnedNumber,
    PermanentProviderError,
    ProviderError,
    ProvisioningHandle,
    ProvisioningState,
    ProvisioningStatus,
    RateLimited,
    TransientProviderError,
)
from provisioning.carriers.twilio_state import registration_statuses

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
SIGNATURE_HEADER = "X-Twilio-Signature"
HOSTS = {
    "https://api.twilio.com": "TWILIO_API_BASE_URL",
    "https://messaging.twilio.com": "TWILIO_MESSAGING_BASE_URL",
}
REGISTRATION_EVENTS = {
    "com.twilio.messaging.compliance.number-registration.pending": ProvisioningState.PENDING,
    "com.twilio.messaging.compliance.number-registration.successful": ProvisioningState.COMPLETE,
    "com.twilio.messaging.compliance.number-registration.failed": ProvisioningState.FAILED,
}
ALREADY_IN_A_SERVICE = (80104, 21712)
# Usa2p ``campaign_status`` is an untyped string (§1.2): anything else is still pending.
CAMPAIGN_REFUSED = {"FAILED", "SUSPENDED"}
DELIVERY_STATES = {
    "sent": DeliveryState.SENT,
    "delivered": DeliveryState.DELIVERED,
    "undelivered": DeliveryState.FAILED,
    "failed": DeliveryState.FAILED,
}


@dataclass(frozen=True)
class RegistrationEvent:
    """One Event Streams event about a number's A2P registration."""

    event_id: str
    outcome: ProvisioningState
    phone_number_sid: str
    e164: str
    reason: str
    occurred_at: datetime


class TwilioEdge(TwilioHttpClient):
    """Twilio's HTTP client, sent to the configured base URLs, turning transport faults into
    the protocol's transient errors before the Twilio library reads the answer."""

    # The requests transport; the tests put a scripted one here (the HTTP edge).
    transport: type[HTTPAdapter] = HTTPAdapter

    def __init__(self) -> None:
        super().__init__(timeout=TIMEOUT_SECONDS)
        assert self.session is not None
        for scheme in ("http://", "https://"):
            self.session.mount(scheme, self.transport())

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        where = f"{method.upper()} {urlsplit(url).path}"
        try:
            response = super().request(method, _routed(url), *args, **kwargs)
        except requests.Timeout as error:
            raise TransientProviderError(f"Twilio did not answer in time ({where})") from error
        except requests.ConnectionError as error:
            raise TransientProviderError(f"Could not reach Twilio ({where})") from error
        if response.status_code == 429 or _code(response) == 20429:
            wait = _retry_after(response)
            raise RateLimited(f"Twilio is rate limiting ({where})", retry_after=wait)
        if response.status_code >= 500:
            raise TransientProviderError(f"Twilio answered {response.status_code} ({where})")
        return response


class TwilioCarrier:
    name = "twilio"
    # Twilio reports one overall registration state per number, not each carrier's.
    per_carrier_status = False

    def __init__(self) -> None:
        self.client = Client(
            settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=TwilioEdge()
        )
        self.service_sid: str = settings.TWILIO_MESSAGING_SERVICE_SID

    # --- numbers --------------------------------------------------------------------------
    def search_numbers(self, *, area_code: str, quantity: int = 10) -> list[AvailableNumber]:
        if not (area_code.isdigit() and len(area_code) == 3):
            return []
        try:
            page = _page(
                lambda: self.client.available_phone_numbers("US").local.page(
                    area_code=int(area_code), sms_enabled=True, page_size=quantity
                )
            )
        except TwilioRestException as error:
            if error.code in (21451, 21452):  # an invalid area code, or nothing in it
                return []
            raise _mapped(error) from error
        return [
            AvailableNumber(n.phone_number, area_code, _region(n.locality, n.region))
            for n in page[:quantity]
        ]

    def acquire_number(
        self,
        *,
        idempotency_key: str,
        candidate: AvailableNumber | None = None,
        area_code: str | None = None,
    ) -> OwnedNumber:
        owned = self.reconcile(idempotency_key)
        if owned is not None:
            return owned
        e164 = candidate.e164 if candidate else ""
        area_code = candidate.area_code if candidate else (area_code or "")
        wanted = {"phone_number": e164} if candidate else {"area_code": area_code}
        try:
            bought = self.client.incoming_phone_numbers.create(
                friendly_name=idempotency_key, **wanted
            )
        except RateLimited:
            raise  # Twilio never processed it (20429 is always safe to retry)
        except TransientProviderError as error:
            raise AmbiguousWriteError(str(error), idempotency_key=idempotency_key) from error
        except TwilioRestException as error:
            raise _mapped(error, e164=e164, area_code=area_code) from error
        return _owned(bought, idempotency_key)

    def reconcile(self, idempotency_key: str) -> OwnedNumber | None:
        try:
            page = _page(
                lambda: self.client.incoming_phone_numbers.page(
                    friendly_name=idempotency_key, page_size=20
                )
            )
        except TwilioRestException as error:
            raise _mapped(error) from error
        found = [n for n in page if n.friendly_name == idempotency_key]
        return _owned(found[0], idempotency_key) if found else None

    def release_number(self, *, carrier_number_id: str) -> None:
        service = self.client.messaging.v1.services(self.service_sid)
        _gone_is_done(lambda: service.phone_numbers(carrier_number_id).delete())
        _gone_is_done(lambda: self.client.incoming_phone_numbers(carrier_number_id).delete())

    # --- provisioning ---------------------------------------------------------------------
    def submit_provisioning(
        self, *, number: OwnedNumber, campaign_ref: str, customer_reference: str
    ) -> ProvisioningHandle:
        """Adds the number to the sender pool; the service's campaign registers it. A refused
        campaign fails the order here, before the number waits on a registration never to come."""
        refused = self._campaign_refusal()
        if refused:
            raise PermanentProviderError(refused, scope=FailureScope.CAMPAIGN)
        service = self.client.messaging.v1.services(self.service_sid)
        try:
            service.phone_numbers.create(phone_number_sid=number.carrier_number_id)
        except TwilioRestException as error:
            # "Already in a service" (80104, 21712) is success when the service is ours: an
            # earlier try added it and lost the answer.
            if error.code not in ALREADY_IN_A_SERVICE or not self._in_pool(number):
                raise _mapped(error, e164=number.e164) from error
        return ProvisioningHandle(ref=number.carrier_number_id, e164=number.e164)

    def _in_pool(self, number: OwnedNumber) -> bool:
        service = self.client.messaging.v1.services(self.service_sid)
        try:
            service.phone_numbers(number.carrier_number_id).fetch()
        except TwilioRestException as error:
            if error.status == 404:
                return False
            raise _mapped(error, e164=number.e164) from error
        return True

    def get_provisioning_status(self, handle: ProvisioningHandle) -> ProvisioningStatus:
        return self.get_provisioning_statuses([handle])[handle.ref]

    def get_provisioning_statuses(
        self, handles: Sequence[ProvisioningHandle]
    ) -> dict[str, ProvisioningStatus]:
        """The campaign's status (one call), then each number's registration as its Event
        Streams deliveries left it."""
        if not handles:
            return {}
        refused = self._campaign_refusal()
        if refused:
            failed = ProvisioningStatus(ProvisioningState.FAILED, refused, FailureScope.CAMPAIGN)
            return {handle.ref: failed for handle in handles}
        return registration_statuses(handle.ref for handle in handles)

    def _campaign_refusal(self) -> str:
        """Why the service's campaign cannot register numbers, or "" while it can (or may)."""
        service = self.client.messaging.v1.services(self.service_sid)
        try:
            campaigns = _page(lambda: service.us_app_to_person.page(page_size=20))
        except TwilioRestException as error:
            raise _mapped(error) from error
        if not campaigns:
            return f"Messaging Service {self.service_sid} has no US A2P 10DLC campaign."
        status = str(campaigns[0].campaign_status or "").upper()
        if status in CAMPAIGN_REFUSED:
            return f"The 10DLC campaign of Messaging Service {self.service_sid} is {status}."
        return ""

    # --- messages -------------------------------------------------------------------------
    def send_message(self, *, from_e164: str, to_e164: str, body: str, idempotency_key: str) -> str:
        """Twilio's Messages API takes no idempotency key: a send whose answer is lost (a
        timeout after Twilio accepted it) may go out again when retried. Delivery claims each
        message before the call (provisioning.delivery), so only that window is at risk."""
        options = {"from_": from_e164} if from_e164 else {"messaging_service_sid": self.service_sid}
        if settings.TWILIO_STATUS_CALLBACK_URL:
            options["status_callback"] = settings.TWILIO_STATUS_CALLBACK_URL
        try:
            message = self.client.messages.create(to=to_e164, body=body, **options)
        except TwilioRestException as error:
            raise _mapped(error, e164=from_e164) from error
        return str(message.sid)

    # --- webhooks -------------------------------------------------------------------------
    def verify_webhook(self, *, url: str, headers: Mapping[str, str], body: bytes) -> bool:
        """Twilio signs the URL it requested with the form parameters (HMAC-SHA1 with the auth
        token). A JSON body (Event Streams) is signed with the URL: through ``bodySHA256`` in
        the URL when Twilio adds it, else as the URL followed by the raw body."""
        signature = _header(headers, SIGNATURE_HEADER)
        if not signature:
            return False
        validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
        text = body.decode("utf-8", errors="replace")
        if "json" not in _header(headers, "Content-Type"):
            return bool(validator.validate(url, QueryDict(text), signature))
        if "bodySHA256" in parse_qs(urlsplit(url).query):
            return bool(validator.validate(url, text, signature))
        return bool(validator.validate(url + text, {}, signature))

    def parse_webhook(self, *, headers: Mapping[str, str], body: bytes) -> list[InboundMessage]:
        form = QueryDict(body.decode())
        return [InboundMessage(form["To"], form["From"], form.get("Body", ""), form["MessageSid"])]

    def parse_status_webhook(
        self, *, headers: Mapping[str, str], body: bytes
    ) -> list[DeliveryReport]:
        """A status callback; the in-between states (queued, sending, accepted) report nothing."""
        form = QueryDict(body.decode())
        state = DELIVERY_STATES.get(form.get("MessageStatus", ""))
        if state is None:
            return []
        reason = ""
        if state == DeliveryState.FAILED:
            reason = f"Twilio error {form.get('ErrorCode') or 'unknown'}"
        return [DeliveryReport(form["MessageSid"], state, reason)]

    def parse_registration_events(self, *, body: bytes) -> list[RegistrationEvent]:
        """The number-registration events of an Event Streams delivery (a JSON array of
        CloudEvents); other event types are left out. Raises ValueError on a malformed body."""
        events = json.loads(body)
        if not isinstance(events, list):
            raise ValueError("An Event Streams delivery is a JSON array of CloudEvents.")
        return [_registration_event(e) for e in events if e.get("type") in REGISTRATION_EVENTS]


def _registration_event(event: dict[str, Any]) -> RegistrationEvent:
    data = event.get("data") or {}
    outcome = REGISTRATION_EVENTS[event["type"]]
    reason = ""
    if outcome == ProvisioningState.FAILED:
        detail = data.get("failurereason") or "no reason given"
        reason = f"Twilio could not register the number: {detail}"
    return RegistrationEvent(
        event_id=str(event["id"]),
        outcome=outcome,
        phone_number_sid=str(data["phonenumbersid"]),
        e164=str(data.get("phonenumber") or ""),
        reason=reason,
        occurred_at=datetime.fromisoformat(event["time"]),
    )


def _page(fetch: Callable[[], Any]) -> list[Any]:
    """The records of one page. Twilio's library reports a page's error answer as a bare
    ``TwilioException`` holding the response: it becomes the ``TwilioRestException`` every
    other call raises, so one mapping serves both."""
    try:
        return list(fetch())
    except TwilioRestException:
        raise
    except TwilioException as error:
        response = error.args[1] if len(error.args) > 1 else None
        if not isinstance(response, Response):
            raise
        try:
            body = json.loads(response.text)
        except ValueError:
            body = {}
        raise TwilioRestException(
            response.status_code, "", body.get("message", ""), body.get("code")
        ) from error


def _routed(url: str) -> str:
    for host, setting in HOSTS.items():
        if url.startswith(host):
            return getattr(settings, setting).rstrip("/") + url[len(host) :]
    return url


def _code(response: Response) -> int | None:
    try:
        code = json.loads(response.text).get("code")
    except (ValueError, AttributeError):
        return None
    return code if isinstance(code, int) else None


def _retry_after(response: Response) -> float:
    try:
        return max(1.0, float(response.headers.get("Retry-After", 1)))
    except (TypeError, ValueError):
        return 1.0


def _mapped(error: TwilioRestException, *, e164: str = "", area_code: str = "") -> ProviderError:
    """A Twilio error answer as the protocol's error (§1.5)."""
    code, message = error.code, f"Twilio {error.code or error.status}: {error.msg}"
    if code == 21422:
        return NumberUnavailable(e164 or "The number")
    if code == 21452:
        return NoInventory(area_code)
    if code == 21712:
        return PermanentProviderError(message, scope=FailureScope.NUMBER)
    if code in (21714, 21717, 21729, 30905):
        return PermanentProviderError(message, scope=FailureScope.CAMPAIGN)
    if error.status in (401, 403) or code == 20003:
        return PermanentProviderError(message, scope=FailureScope.ACCOUNT)
    return PermanentProviderError(message, scope=FailureScope.NUMBER)


def _gone_is_done(call: Callable[[], object]) -> None:
    try:
        call()
    except TwilioRestException as error:
        if error.status != 404:  # 20404: not in the pool, or released already
            raise _mapped(error) from error


def _owned(number: Any, idempotency_key: str) -> OwnedNumber:
    e164 = str(number.phone_number)
    return OwnedNumber(e164, e164[2:5], str(number.sid), idempotency_key)


def _region(locality: str | None, region: str | None) -> str:
    return ", ".join(part for part in (locality, region) if part)


def _header(headers: Mapping[str, str], name: str) -> str:
    return {k.lower(): v for k, v in headers.items()}.get(name.lower(), "")
