"""Contacts from a CSV file, through django-import-export.

Reading checks the file as a whole (encoding, header, shape); the preview runs the resource
as a dry run, saving nothing, reports rows that would be skipped (row number, value, why) and
keeps the valid rows, normalised (``PreparedContacts``). Confirming saves those rows in bulk
(``campaigns.sql.contacts_insert``: COPY on PostgreSQL), re-checking only what can have changed
since the preview: opt-outs and the campaign's existing contacts, each with one query.
"""

import contextlib
import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from import_export import resources

from campaigns.errors import CampaignError
from campaigns.message_fields import STANDARD_CONTACT_COLUMNS, message_unknown_fields
from campaigns.models import Campaign, Contact, OptOut
from campaigns.sql import ContactRow, contacts_insert
from phone_numbers.phones import phone_normalise

EXPECTED_COLUMNS = "phone, first_name, last_name — any other columns are kept as contact fields"
HEADER_ALIASES = {
    "phone_number": "phone",
    "mobile": "phone",
    "cell": "phone",
    "firstname": "first_name",
    "first": "first_name",
    "lastname": "last_name",
    "last": "last_name",
}
PREVIEW_ERRORS = 50
BATCH_SIZE = 5000


def _column(header: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")
    return HEADER_ALIASES.get(key, key)


def contacts_file_read(data: bytes) -> tablib.Dataset:
    """The file as a dataset with normalised column names, or CampaignError(field="file")."""
    # newline="" lets the reader end rows at \r (Excel for Mac), \n and \r\n alike.
    return _dataset(_records(io.StringIO(_decoded(data), newline="")))


def _decoded(data: bytes) -> str:
    """UTF-8 (with or without Excel's byte-order mark), else Windows-1252: what Excel writes
    when the file is saved as plain “CSV”. NUL bytes mean neither (UTF-16, or not text)."""
    with contextlib.suppress(UnicodeDecodeError):
        return data.decode("utf-8-sig")
    if b"\0" not in data:
        with contextlib.suppress(UnicodeDecodeError):
            return data.decode("cp1252")
    raise CampaignError(
        "This file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8”.",
        field="file",
    )


def _records(text: io.StringIO) -> Iterator[tuple[int, list[str]]]:
    """(row number as a spreadsheet shows it, cells) of each record, NUL-free."""
    reader = csv.reader(text)
    number = 0
    try:
        for number, row in enumerate(reader, start=1):
            if any("\0" in cell for cell in row):
                # PostgreSQL text cannot hold NUL, so such a row would only fail when saved.
                raise CampaignError(
                    f"Row {number} contains a NUL character, which is not text. Remove it, or "
                    "save the file from your spreadsheet as “CSV UTF-8”, and upload it again.",
                    field="file",
                )
            yield number, row
    except csv.Error as error:
        raise CampaignError(
            f"Row {number + 1} cannot be read as CSV: {error}. Save the file from your "
            "spreadsheet as CSV and upload it again.",
            field="file",
        ) from error


def _dataset(records: Iterator[tuple[int, list[str]]]) -> tablib.Dataset:
    header = next(records, (1, []))[1]
    columns = [_column(h) for h in header]
    if "phone" not in columns:
        found = ", ".join(h for h in header if h.strip()) or "nothing"
        raise CampaignError(
            f"The first row must name the columns; it has {found}. "
            f"Expected columns: {EXPECTED_COLUMNS}.",
            field="file",
        )
    repeated = [c for c, n in Counter(columns).items() if n > 1]
    if repeated or "" in columns:
        raise CampaignError(
            "Every column needs its own name; repeated or empty: "
            f"{', '.join(c or '(empty)' for c in repeated or [''])}.",
            field="file",
        )
    dataset = tablib.Dataset(headers=columns)
    width = len(columns)
    for number, row in records:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > width:
            raise CampaignError(
                f"Row {number} has {len(row)} cells but the header names {width} columns.",
                field="file",
            )
        dataset.append([*row, *[""] * (width - len(row))])
    if not dataset.height:
        raise CampaignError("The file has a header but no contacts.", field="file")
    return dataset


@dataclass(frozen=True)
class RowProblem:
    row: int  # as a spreadsheet numbers it: the header is row 1
    value: str
    why: str


@dataclass
class PreparedContacts:
    """What the preview validated: the normalised valid rows, kept until confirmation."""

    total: int
    extra_columns: list[str]
    rows: list[ContactRow]

    def to_bytes(self) -> bytes:
        return json.dumps([self.total, self.extra_columns, self.rows]).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> "PreparedContacts":
        total, extra_columns, rows = json.loads(data)
        return cls(total=total, extra_columns=extra_columns, rows=[tuple(r) for r in rows])


@dataclass
class ContactsReport:
    total: int = 0
    valid: int = 0
    problems: list[RowProblem] = field(default_factory=list)  # the first PREVIEW_ERRORS
    reasons: Counter[str] = field(default_factory=Counter)
    extra_columns: list[str] = field(default_factory=list)
    rows: list[ContactRow] = field(default_factory=list, repr=False)

    @property
    def prepared(self) -> PreparedContacts:
        return PreparedContacts(self.total, self.extra_columns, self.rows)

    @property
    def skipped(self) -> int:
        return self.total - self.valid

    @property
    def reason_counts(self) -> list[tuple[str, int]]:
        return self.reasons.most_common()


class ContactResource(resources.ModelResource):
    """One campaign's contacts, always run as a dry run. Every rule lives in
    ``import_instance``: a row breaking one is reported, the others are kept in ``rows``."""

    create_instances: list[Contact]

    class Meta:
        model = Contact
        fields = ("phone", "first_name", "last_name")
        use_bulk = True
        batch_size = BATCH_SIZE
        skip_diff = True
        force_init_instance = True
        report_skipped = False

    def __init__(self, *, campaign: Campaign) -> None:
        super().__init__()
        self.campaign = campaign
        self.existing = set(campaign.contacts.values_list("phone", flat=True))
        self.opted_out = set(
            OptOut.objects.filter(organization_id=campaign.organization_id).values_list(
                "phone", flat=True
            )
        )
        self.first_row_of: dict[str, int] = {}
        self.extra_columns: list[str] = []
        self.rows: list[ContactRow] = []

    def before_import(self, dataset: tablib.Dataset, **kwargs: Any) -> None:
        headers = dataset.headers or []
        self.extra_columns = [h for h in headers if h not in STANDARD_CONTACT_COLUMNS]

    def init_instance(self, row: Any = None) -> Contact:
        return Contact(campaign=self.campaign)

    def import_instance(self, instance: Contact, row: dict[str, Any], **kwargs: Any) -> None:
        line = kwargs["row_number"] + 1
        instance.phone = self._checked_phone(str(row.get("phone") or ""), line)
        instance.first_name = str(row.get("first_name") or "").strip()[:100]
        instance.last_name = str(row.get("last_name") or "").strip()[:100]
        instance.fields = {c: row[c] for c in self.extra_columns if row[c] not in (None, "")}

    def _checked_phone(self, raw: str, line: int) -> str:
        phone = phone_normalise(raw)
        if phone is None:
            why = "not a valid US phone number" if raw.strip() else "no phone number"
            raise ValidationError({"phone": why})
        if phone in self.first_row_of:
            raise ValidationError({"phone": f"duplicate of row {self.first_row_of[phone]}"})
        if phone in self.existing:
            raise ValidationError({"phone": "already a contact of this campaign"})
        if phone in self.opted_out:
            raise ValidationError({"phone": "opted out"})
        self.first_row_of[phone] = line
        return phone

    def bulk_create(
        self,
        using_transactions: bool,
        dry_run: bool,
        raise_errors: bool,
        batch_size: int | None = None,
        result: Any = None,
    ) -> None:
        """Keeps a batch's valid rows instead of saving them: the rules above already ran,
        and ``contacts_save`` writes them in bulk once the person confirms."""
        self.rows.extend(
            (c.phone, c.first_name, c.last_name, c.fields) for c in self.create_instances
        )
        self.create_instances.clear()


def _check_uploads_open(campaign: Campaign) -> None:
    if campaign.accepts_contacts:
        return
    if campaign.is_follow_up:
        raise CampaignError("A follow-up's contacts come from its parent campaign.")
    raise CampaignError("Contacts are uploaded while the campaign is a draft.")


def _check_message_fields(campaign: Campaign, *, columns: list[str]) -> None:
    """The file has a column for every field of the initial message, which may have been
    written before the file was chosen."""
    unknown = message_unknown_fields(campaign.initial_message, columns=columns)
    if unknown is None:
        return
    missing = ", ".join(unknown.unknown)
    several = len(unknown.unknown) > 1
    raise CampaignError(
        f"The initial message uses {unknown.unknown_text}, but this file has no "
        f"{missing} column{'s' if several else ''}. Add {'them' if several else 'it'} to the "
        f"file, or edit the message to use only the fields this file has: "
        f"{unknown.usable_text}. Nothing was saved.",
        field="file",
    )


def contacts_preview(*, campaign: Campaign, dataset: tablib.Dataset) -> ContactsReport:
    """What confirming would save and skip, saving nothing; ``report.prepared`` holds the
    valid rows for ``contacts_save``."""
    _check_uploads_open(campaign)
    _check_message_fields(campaign, columns=dataset.headers or [])
    resource = ContactResource(campaign=campaign)
    result = resource.import_data(dataset, dry_run=True, use_transactions=False)
    if result.has_errors():
        raise CampaignError(
            "The contacts could not be read. Nothing was saved; upload the file again.",
            field="file",
        )
    report = ContactsReport(
        total=len(dataset), extra_columns=resource.extra_columns, rows=resource.rows
    )
    phone_at = (dataset.headers or []).index("phone")
    for invalid in result.invalid_rows:
        why = "; ".join(m for messages in invalid.error_dict.values() for m in messages)
        report.reasons[why.split(" of row")[0]] += 1  # "duplicate of row 7" → "duplicate"
        if len(report.problems) < PREVIEW_ERRORS:
            value = str(invalid.values[phone_at])
            report.problems.append(RowProblem(row=invalid.number + 1, value=value, why=why))
    report.valid = len(report.rows)
    return report


@transaction.atomic
def contacts_save(*, campaign: Campaign, prepared: PreparedContacts) -> ContactsReport:
    """Saves the rows the preview validated. Only what can have changed since is checked
    again, in bulk: people who opted out and contacts another upload added meanwhile."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _check_uploads_open(campaign)
    existing = set(campaign.contacts.values_list("phone", flat=True))
    opted_out = set(
        OptOut.objects.filter(organization_id=campaign.organization_id).values_list(
            "phone", flat=True
        )
    )
    rows = [row for row in prepared.rows if row[0] not in existing and row[0] not in opted_out]
    contacts_insert(campaign_id=campaign.pk, rows=rows)
    new_columns = [c for c in prepared.extra_columns if c not in campaign.contact_fields]
    if new_columns:
        campaign.contact_fields = [*campaign.contact_fields, *new_columns]
        campaign.save(update_fields=["contact_fields", "updated_at"])
    report = ContactsReport(
        total=prepared.total, valid=len(rows), extra_columns=prepared.extra_columns
    )
    if len(rows) < len(prepared.rows):
        report.reasons["opted out or added meanwhile"] = len(prepared.rows) - len(rows)
    return report


def contacts_import(*, campaign: Campaign, dataset: tablib.Dataset) -> ContactsReport:
    """Preview and save in one go, for callers that hold the file (commands, demo data)."""
    preview = contacts_preview(campaign=campaign, dataset=dataset)
    saved = contacts_save(campaign=campaign, prepared=preview.prepared)
    saved.problems = preview.problems
    saved.reasons = preview.reasons + saved.reasons
    return saved
