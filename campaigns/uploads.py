"""Holds an uploaded contacts file between its preview and the confirmation.

The file waits in ``CONTACTS_UPLOAD_DIR`` (a folder of its own, shared by the web and the
worker); the page carries a signed token naming it and its campaign, so a token cannot be
replayed on another campaign or forged. A preview that is never confirmed is deleted after
MAX_AGE_SECONDS by ``contacts_previews_expire`` (beat), so abandoned uploads never pile up.
"""

import secrets
import time
from pathlib import Path

from django.conf import settings
from django.core import signing

SALT = "campaigns.contacts-upload"
MAX_AGE_SECONDS = 3600
# preview-<unix time it was kept>-<random>: the sweep reads the age from the name.
PREFIX = "preview-"


def _folder() -> Path:
    folder = Path(settings.CONTACTS_UPLOAD_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def upload_keep(*, campaign_id: int, data: bytes) -> str:
    name = f"{PREFIX}{int(time.time())}-{secrets.token_hex(16)}"
    (_folder() / name).write_bytes(data)
    return signing.dumps({"campaign": campaign_id, "name": name}, salt=SALT)


def upload_take(*, campaign_id: int, token: str) -> bytes | None:
    """The file's bytes, removed from storage; None when the token is bad, old or used."""
    try:
        value = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    if value.get("campaign") != campaign_id:
        return None
    path = _folder() / Path(value["name"]).name
    try:
        data = path.read_bytes()
        path.unlink()
    except FileNotFoundError:  # confirmed already, or expired and swept
        return None
    return data


def upload_expire() -> int:
    """Deletes the previews older than MAX_AGE_SECONDS (their tokens no longer work); returns
    how many."""
    oldest = time.time() - MAX_AGE_SECONDS
    expired = 0
    for path in _folder().glob(f"{PREFIX}*"):
        kept_at = path.name.removeprefix(PREFIX).split("-", 1)[0]
        if kept_at.isdigit() and int(kept_at) < oldest:
            path.unlink(missing_ok=True)
            expired += 1
    return expired
