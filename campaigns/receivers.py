"""Campaigns listen to provisioning through its one hook (``provisioning.hooks``)."""

from typing import Any

from campaigns.services import campaigns_number_finished
from phone_numbers.models import PhoneNumber


def on_numbers_finished(sender: object, numbers: list[PhoneNumber], **kwargs: Any) -> None:
    campaigns_number_finished(phone_numbers=numbers)
