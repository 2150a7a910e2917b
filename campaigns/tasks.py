from celery import shared_task

from campaigns.uploads import upload_expire


@shared_task(acks_late=True)
def contacts_previews_expire() -> int:
    """Beat: deletes contacts previews that were never confirmed."""
    return upload_expire()
