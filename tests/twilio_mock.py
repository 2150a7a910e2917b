"""Twilio on a machine with no internet: Prism serving Twilio's own OpenAPI specs, and a scripted
HTTP edge for what a mock cannot decide.

Every request the adapter makes goes to Prism, which validates it against Twilio's spec
(``twilio_api_v2010.json``, ``twilio_messaging_v1.json`` from ``@twilio-alpha/mcp``): a missing
or wrong parameter is answered 422 and recorded as a violation, and the ``twilio`` fixture fails
the test on any. Prism answers with Twilio's example for the operation; ``TwilioFake`` then fills
that answer in with one account's state (numbers for sale, numbers owned, the sender pool, the
campaign's status) and injects the faults a test asks for (a number sold since the search, a
20429 with ``Retry-After``, a 5xx, a timeout before or after the write happened).

The tools are installed by ``scripts/npm_tools.sh`` (``scripts/test.sh`` runs it).
"""

import json
import re
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests.adapters import HTTPAdapter
from twilio.request_validator import RequestValidator

from provisioning.carriers.twilio import TwilioEdge

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "var" / "node_tools" / "node_modules"
PRISM = TOOLS / ".bin" / "prism"
SPECS = TOOLS / "@twilio-alpha" / "mcp" / "twilio-oai" / "spec" / "json"
ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "twilio-test-auth-token"
SERVICE_SID = "MG" + "fedcba9876543210" * 2
PRISM_ERROR = "stoplight.io/prism/errors"


# --- Prism --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Prism:
    api_url: str
    messaging_url: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_prism(spec: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    process = subprocess.Popen(
        [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), str(SPECS / spec)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return process, f"http://127.0.0.1:{port}"


def _wait_until_answering(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Prism exited with {process.returncode} before answering at {url}")
        try:
            requests.get(url, timeout=5)
            return
        except requests.RequestException:  # not listening yet, or still loading the spec
            time.sleep(0.2)
    pytest.fail(f"Prism did not answer at {url} within 120 s")


@pytest.fixture(scope="session")
def prism() -> Iterator[Prism]:
    """Two Prism mocks (one per spec) on free loopback ports, for the whole session."""
    if not PRISM.exists() or not (SPECS / "twilio_api_v2010.json").exists():
        pytest.fail("Prism and Twilio's specs are not installed: run scripts/npm_tools.sh")
    servers = [_start_prism("twilio_api_v2010.json"), _start_prism("twilio_messaging_v1.json")]
    try:
        for process, url in servers:
            _wait_until_answering(process, url)
        yield Prism(api_url=servers[0][1], messaging_url=servers[1][1])
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait(timeout=10)


# --- the account's state and the faults, at the HTTP edge ---------------------------------
@dataclass
class Fault:
    method: str
    path: str  # a regular expression searched in the request's path
    kind: str  # "error" | "timeout" | "timeout_after" (the write happened, the answer was lost)
    status: int = 0
    code: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]


def _sid(prefix: str, n: int) -> str:
    return f"{prefix}{n:032x}"


class TwilioFake:
    """One Twilio account as the tests see it. ``current`` is the one the edge serves (the
    Celery worker's carrier, built in another thread, reaches it too)."""

    current: "TwilioFake | None" = None

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.for_sale: dict[str, list[str]] = {}
        self.empty_area_codes: set[str] = set()
        self.owned: dict[str, dict[str, str]] = {}
        self.pool: set[str] = set()
        self.campaign_status: str | None = "VERIFIED"
        self.faults: list[Fault] = []
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.sent: list[dict[str, list[str]]] = []
        self._next = 0

    # --- what tests script ---
    def fail(self, method: str, path: str, status: int, code: int | None = None, **headers: str):
        self.faults.append(Fault(method, path, "error", status, code, headers))

    def time_out(self, method: str, path: str, *, after_applying: bool = False) -> None:
        self.faults.append(Fault(method, path, "timeout_after" if after_applying else "timeout"))

    def numbers_for_sale(self, area_code: str) -> list[str]:
        if area_code in self.empty_area_codes:
            return []
        return self.for_sale.setdefault(
            area_code, [f"+1{area_code}555{n:04d}" for n in range(100, 110)]
        )

    def calls_to(self, method: str, path: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and re.search(path, c.path)]

    # --- the edge ---
    def answer(self, request: requests.PreparedRequest, prism: requests.Response) -> Any:
        """Prism's answer to a valid request, made this account's: (status, body) or None to
        pass Prism's answer through."""
        url = urlsplit(request.url or "")
        call = Call(
            request.method or "",
            url.path,
            parse_qs(url.query),
            parse_qs(request.body if isinstance(request.body, str) else ""),
        )
        with self.lock:
            self.calls.append(call)
            fault = self._take_fault(call)
            if fault and fault.kind == "timeout":
                raise requests.ReadTimeout("Read timed out (injected)")
            if fault and fault.kind == "error":
                return fault.status, _error_body(fault.status, fault.code), fault.headers
            answer = self._route(call, prism.json() if prism.content else {})
            if fault and fault.kind == "timeout_after":
                raise requests.ReadTimeout("Read timed out after the write (injected)")
            return answer

    def _take_fault(self, call: Call) -> Fault | None:
        for fault in self.faults:
            if fault.method == call.method and re.search(fault.path, call.path):
                self.faults.remove(fault)
                return fault
        return None

    def _route(self, call: Call, body: Any) -> Any:
        path, first = call.path, lambda params, key: (params.get(key) or [""])[0]
        if call.method == "GET" and path.endswith("/AvailablePhoneNumbers/US/Local.json"):
            area_code = first(call.query, "AreaCode")
            size = int(first(call.query, "PageSize") or 50)
            template = body["available_phone_numbers"][0]
            body["available_phone_numbers"] = [
                {**template, "phone_number": n, "locality": "Springfield", "region": "CA"}
                for n in self.numbers_for_sale(area_code)[:size]
            ]
            return 200, body, {}
        if call.method == "POST" and path.endswith("/IncomingPhoneNumbers.json"):
            e164, area_code = first(call.form, "PhoneNumber"), first(call.form, "AreaCode")
            return self._buy(e164, area_code, first(call.form, "FriendlyName"), body)
        if call.method == "GET" and path.endswith("/IncomingPhoneNumbers.json"):
            name = first(call.query, "FriendlyName")
            template = body["incoming_phone_numbers"][0]
            body["incoming_phone_numbers"] = [
                {**template, **number}
                for number in self.owned.values()
                if not name or number["friendly_name"] == name
            ]
            return 200, body, {}
        if m := re.search(r"/IncomingPhoneNumbers/(PN\w+)\.json$", path):
            if self.owned.pop(m[1], None) is None:
                return 404, _error_body(404, 20404), {}
            return None
        if call.method == "POST" and re.search(r"/Services/MG\w+/PhoneNumbers$", path):
            sid = first(call.form, "PhoneNumberSid")
            if sid not in self.owned:
                return 400, _error_body(400, 21421), {}
            if sid in self.pool:
                return 400, _error_body(400, 80104), {}
            self.pool.add(sid)
            return 201, {**body, "sid": sid, "phone_number": self.owned[sid]["phone_number"]}, {}
        if m := re.search(r"/Services/MG\w+/PhoneNumbers/(PN\w+)$", path):
            if m[1] not in self.pool:
                return 404, _error_body(404, 20404), {}
            if call.method == "DELETE":
                self.pool.discard(m[1])
            return None
        if call.method == "GET" and path.endswith("/Compliance/Usa2p"):
            template = body["compliance"][0]
            status = self.campaign_status
            body["compliance"] = [] if status is None else [{**template, "campaign_status": status}]
            return 200, body, {}
        if call.method == "POST" and path.endswith("/Messages.json"):
            self.sent.append(call.form)
            self._next += 1
            return 201, {**body, "sid": _sid("SM", self._next), "status": "queued"}, {}
        return None

    def _buy(self, e164: str, area_code: str, friendly_name: str, body: dict[str, Any]) -> Any:
        for_sale = self.numbers_for_sale(area_code or e164[2:5])
        if e164 and e164 not in for_sale:
            return 400, _error_body(400, 21422), {}
        if not e164 and not for_sale:
            return 400, _error_body(400, 21452), {}
        e164 = e164 or for_sale[0]
        for_sale.remove(e164)
        self._next += 1
        sid = _sid("PN", self._next)
        number = {"sid": sid, "phone_number": e164, "friendly_name": friendly_name}
        self.owned[sid] = number
        return 201, {**body, **number}, {}


def _error_body(status: int, code: int | None) -> dict[str, Any]:
    """An error answer as Twilio writes one."""
    return {
        "code": code,
        "message": f"Injected Twilio error {code}",
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


class FakeTransport(HTTPAdapter):
    """The HTTP edge in the tests: Prism validates every request; TwilioFake answers it."""

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any):
        fake = TwilioFake.current
        prism = super().send(request, *args, **kwargs)
        if fake is None:
            return prism
        violation = _violation(request, prism)
        if violation:
            fake.violations.append(violation)
            return prism
        answer = fake.answer(request, prism)
        if answer is None:
            return prism
        status, body, headers = answer
        return _response(request, status, body, headers)


def _violation(request: requests.PreparedRequest, response: requests.Response) -> str:
    """Prism's word that the request breaks Twilio's spec: a 4xx of its own making, or a
    request-side violation it lists in ``sl-violations``."""
    where = f"{request.method} {urlsplit(request.url or '').path}"
    if 400 <= response.status_code < 500 and PRISM_ERROR in response.text:
        return f"{where}: {response.status_code} {response.text}"
    listed = json.loads(response.headers.get("sl-violations") or "[]")
    broken = [v for v in listed if (v.get("location") or [""])[0] == "request"]
    return f"{where}: {broken}" if broken else ""


def _response(
    request: requests.PreparedRequest, status: int, body: Any, headers: dict[str, str]
) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode() if status != 204 else b""
    response.headers.update({"Content-Type": "application/json", **headers})
    response.url = request.url or ""
    response.request = request
    response.encoding = "utf-8"
    return response


@pytest.fixture
def twilio(prism: Prism, settings, monkeypatch) -> Iterator[TwilioFake]:
    """The Twilio adapter as ``CARRIER_ADAPTER``, pointed at Prism through the scripted edge.
    Fails the test if any request broke Twilio's spec."""
    settings.CARRIER_ADAPTER = "provisioning.carriers.twilio.TwilioCarrier"
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_MESSAGING_SERVICE_SID = SERVICE_SID
    settings.TWILIO_API_BASE_URL = prism.api_url
    settings.TWILIO_MESSAGING_BASE_URL = prism.messaging_url
    settings.TWILIO_STATUS_CALLBACK_URL = "https://longcode.example/hooks/twilio/status/"
    monkeypatch.setattr(TwilioEdge, "transport", FakeTransport)
    fake = TwilioFake()
    TwilioFake.current = fake
    try:
        yield fake
    finally:
        TwilioFake.current = None
    assert fake.violations == [], "requests that break Twilio's spec:\n" + "\n".join(
        fake.violations
    )


# --- Event Streams deliveries -------------------------------------------------------------
REGISTRATION = "com.twilio.messaging.compliance.number-registration"


def registration_event(
    event_id: str, outcome: str, *, sid: str, e164: str, at: str, reason: str = ""
) -> dict[str, Any]:
    """A CloudEvent as Event Streams sends it (outcome: pending | successful | failed)."""
    return {
        "specversion": "1.0",
        "type": f"{REGISTRATION}.{outcome}",
        "source": "/v1/a2p/numbers",
        "id": event_id,
        "dataschema": "https://events-schemas.twilio.com/A2P.NumberRegistration/2",
        "datacontenttype": "application/json",
        "time": at,
        "data": {
            "phonenumber": e164,
            "phonenumbersid": sid,
            "accountsid": ACCOUNT_SID,
            "campaignsid": "CM" + "0" * 32,
            "messagingservicesid": SERVICE_SID,
            "externalstatus": {
                "pending": "pending_registration",
                "successful": "registered",
                "failed": "failure",
            }[outcome],
            "failurereason": reason,
        },
    }


def signed_delivery(url: str, events: list[dict[str, Any]]) -> tuple[bytes, dict[str, str]]:
    """The body and headers of an Event Streams delivery to ``url``, signed as Twilio signs
    it (the URL followed by the body, HMAC-SHA1 with the auth token)."""
    body = json.dumps(events).encode()
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url + body.decode(), {})
    return body, {"Content-Type": "application/json", "X-Twilio-Signature": signature}
