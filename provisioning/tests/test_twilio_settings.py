"""Production refuses to start with Twilio as the carrier and its credentials missing."""

import pytest

from tests.test_settings import PRODUCTION, _load_settings

TWILIO = {
    **PRODUCTION,
    "CARRIER_ADAPTER": "provisioning.carriers.twilio.TwilioCarrier",
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "secret",
    "TWILIO_MESSAGING_SERVICE_SID": "MG" + "0" * 32,
}


def test_production_starts_with_twilio_configured() -> None:
    assert _load_settings(**TWILIO).returncode == 0


@pytest.mark.parametrize(
    "missing", ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_MESSAGING_SERVICE_SID"]
)
def test_production_refuses_twilio_without_its_settings(missing) -> None:
    result = _load_settings(**{**TWILIO, missing: ""})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"CARRIER_ADAPTER names Twilio but {missing} is not set" in result.stderr


def test_the_simulated_carrier_needs_no_twilio_settings() -> None:
    assert (
        _load_settings(**{**TWILIO, "CARRIER_ADAPTER": "", "TWILIO_AUTH_TOKEN": ""}).returncode == 0
    )
