"""Holds an uploaded contacts file between its preview and the confirmation.

The file waits in import-export's temporary storage; the page carries a signed token naming
it and its campaign, so a token cannot be replayed on another campaign or forged.
"""

import os

from django.core import signing
from import_export.tmp_storages import TempFolderStorage

SALT = "campaigns.contacts-upload"
MAX_AGE_SECONDS = 3600


def upload_keep(*, campaign_id: int, data: bytes) -> str:
    storage = TempFolderStorage(read_mode="rb")
    storage.save(data)
    return signing.dumps({"campaign": campaign_id, "name": storage.name}, salt=SALT)


def upload_take(*, campaign_id: int, token: str) -> bytes | None:
    """The file's bytes, removed from storage; None when the token is bad, old or used."""
    try:
        value = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    if value.get("campaign") != campaign_id:
        return None
    storage = TempFolderStorage(name=value["name"], read_mode="rb")
    if not os.path.exists(storage.get_full_path()):
        return None
    data: bytes = storage.read()
    storage.remove()
    return data
