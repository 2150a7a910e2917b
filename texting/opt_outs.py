"""The organization's opt-outs: added by a keyword, a sender, an import or by hand; taken back
by START or by hand with a reason (each removal is kept)."""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet

from accounts.models import User
from campaigns.models import OptOut, OptOutRemoval, OptOutSource
from offices.models import Organization
from phone_numbers.neutralise import neutralise
from phone_numbers.phones import phone_normalise

PHONE_COLUMNS = ("phone", "number", "phone_number", "mobile", "cell")
EXPORT_COLUMNS = ["phone", "opted_out_at", "how", "reason"]


def opt_out_add(
    *, organization: Organization, phone: str, source: str, reason: str = "", by: User | None = None
) -> tuple[OptOut, bool]:
    return OptOut.objects.get_or_create(
        organization=organization,
        phone=phone,
        defaults={"source": source, "reason": reason[:300], "created_by": by},
    )


@transaction.atomic
def opt_out_remove(
    *, organization: Organization, phone: str, source: str, reason: str = "", by: User | None = None
) -> bool:
    removed, _ = OptOut.objects.filter(organization=organization, phone=phone).delete()
    if removed:
        OptOutRemoval.objects.create(
            organization=organization,
            phone=phone,
            source=source,
            reason=reason[:300],
            removed_by=by,
        )
    return bool(removed)


def opt_out_list(*, organization: Organization, q: str = "") -> QuerySet[OptOut]:
    opt_outs = OptOut.objects.filter(organization=organization).select_related("created_by")
    digits = "".join(ch for ch in q if ch.isdigit())
    if digits:
        opt_outs = opt_outs.filter(phone__contains=digits)
    return opt_outs.order_by("-created_at", "-id")


# --- import -----------------------------------------------------------------------------------
@dataclass
class OptOutFile:
    phones: list[str] = field(default_factory=list)
    already: int = 0
    problems: list[str] = field(default_factory=list)


def opt_outs_file_read(*, organization: Organization, data: bytes) -> OptOutFile:
    """The numbers a CSV file would opt out, those already opted out, and the rows that are
    not phone numbers (by line). The phone column is the one named like a phone, else the
    first."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return OptOutFile(problems=["The file is not UTF-8 text: save it as CSV (UTF-8)."])
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return OptOutFile(problems=["The file is empty."])
    header = [cell.strip().lower() for cell in rows[0]]
    column = next((header.index(name) for name in PHONE_COLUMNS if name in header), None)
    body = rows[1:] if column is not None else rows
    column = column or 0
    report = OptOutFile()
    seen: set[str] = set()
    for line, row in _numbered(body, first=2 if body is not rows else 1):
        raw = row[column].strip() if len(row) > column else ""
        phone = phone_normalise(raw)
        if phone is None:
            report.problems.append(f"Line {line}: “{raw}” is not a phone number.")
        elif phone not in seen:
            seen.add(phone)
            report.phones.append(phone)
    taken = set(
        OptOut.objects.filter(organization=organization, phone__in=report.phones).values_list(
            "phone", flat=True
        )
    )
    report.already = len(taken)
    report.phones = [p for p in report.phones if p not in taken]
    return report


def _numbered(rows: list[list[str]], *, first: int) -> Iterator[tuple[int, list[str]]]:
    for n, row in enumerate(rows, start=first):
        if any(cell.strip() for cell in row):
            yield n, row


def opt_outs_import(*, organization: Organization, phones: list[str], by: User) -> int:
    """Opts out every number not opted out yet; returns how many were added."""
    before = OptOut.objects.filter(organization=organization).count()
    OptOut.objects.bulk_create(
        [
            OptOut(organization=organization, phone=p, source=OptOutSource.IMPORT, created_by=by)
            for p in phones
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    return OptOut.objects.filter(organization=organization).count() - before


def opt_outs_export_rows(*, organization: Organization) -> Iterator[list[str]]:
    yield EXPORT_COLUMNS
    for opt_out in opt_out_list(organization=organization).iterator(chunk_size=2000):
        yield [
            opt_out.phone,
            opt_out.created_at.isoformat(),
            opt_out.source,
            neutralise(opt_out.reason),
        ]
