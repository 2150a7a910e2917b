"""The settings of the fault suite's worker, beat and web subprocesses: the project's own, with
the e-mail and text sweeps every second instead of every 30 (the provisioning sweep follows
PROVISIONING_POLL_SECONDS), so a test sees a sweep's effect within seconds."""

from config.settings import *  # noqa: F403
from config.settings import CELERY_BEAT_SCHEDULE as _SCHEDULE

CELERY_BEAT_SCHEDULE = {
    **_SCHEDULE,
    "deliver-outbox": {**_SCHEDULE["deliver-outbox"], "schedule": 1.0},
    "deliver-queued-messages": {**_SCHEDULE["deliver-queued-messages"], "schedule": 1.0},
}
