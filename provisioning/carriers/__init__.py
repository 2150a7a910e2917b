"""Carrier adapters. ``get_carrier()`` returns the one ``CARRIER_ADAPTER`` names."""

from django.conf import settings
from django.utils.module_loading import import_string

from provisioning.carriers.base import CarrierAdapter


def get_carrier() -> CarrierAdapter:
    adapter: CarrierAdapter = import_string(settings.CARRIER_ADAPTER)()
    return adapter
