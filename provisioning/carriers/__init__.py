"""Carrier adapters. ``get_carrier()`` returns the one ``CARRIER_ADAPTER`` names."""

from django.conf import settings
from django.utils.module_loading import import_string

from provisioning.carriers.base import CarrierAdapter


def get_carrier() -> CarrierAdapter:
    adapter: CarrierAdapter = import_string(settings.CARRIER_ADAPTER)()
    return adapter


def carrier_reports_each_carrier() -> tuple[str, bool]:
    """The configured adapter's name, and whether its statuses carry each carrier's decision
    (read from the class: building an adapter may open a provider's client)."""
    adapter = import_string(settings.CARRIER_ADAPTER)
    return adapter.name, bool(adapter.per_carrier_status)
