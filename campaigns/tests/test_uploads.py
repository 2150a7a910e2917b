"""Contacts previews that are never confirmed are deleted after an hour (beat)."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from campaigns.tasks import contacts_previews_expire
from campaigns.tests.factories import CampaignFactory


@pytest.fixture
def upload_dir(settings, tmp_path):
    settings.CONTACTS_UPLOAD_DIR = tmp_path / "uploads"
    return settings.CONTACTS_UPLOAD_DIR


def _preview(client, campaign) -> str:
    response = client.post(
        reverse("campaigns:contacts", kwargs={"pk": campaign.pk}),
        {"file": SimpleUploadedFile("c.csv", b"phone\n2125550101\n", "text/csv")},
    )
    return str(response.context["confirm"]["upload"].value())


def test_a_preview_never_confirmed_is_deleted_after_an_hour(cast, upload_dir) -> None:
    campaign = CampaignFactory.create(organization=cast.org)
    client = cast.client("alice")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        abandoned = _preview(client, campaign)
    with time_machine.travel(start + timedelta(minutes=40), tick=False):
        recent = _preview(client, campaign)
    assert len(list(upload_dir.iterdir())) == 2

    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        assert contacts_previews_expire() == 1
        assert len(list(upload_dir.iterdir())) == 1
        confirm_url = reverse("campaigns:contacts_confirm", kwargs={"pk": campaign.pk})
        expired = client.post(confirm_url, {"upload": abandoned}, follow=True)
        assert "That upload has expired or was already saved; upload it again." in (
            expired.content.decode()
        )
        assert not campaign.contacts.exists()

        client.post(confirm_url, {"upload": recent})

    assert campaign.contacts.count() == 1
    assert list(upload_dir.iterdir()) == []


def test_the_sweep_leaves_other_files_in_the_folder_alone(upload_dir) -> None:
    upload_dir.mkdir(parents=True)
    (upload_dir / "notes.txt").write_text("not a preview")

    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert contacts_previews_expire() == 0

    assert (upload_dir / "notes.txt").exists()


def test_beat_runs_the_sweep() -> None:
    tasks = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}

    assert "campaigns.tasks.contacts_previews_expire" in tasks
