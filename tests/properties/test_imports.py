"""Generated CSV files at the two imports (a campaign's contacts, the opt-outs): any columns,
rows, encodings and sizes. The preview never answers 5xx and saves nothing; it shows what it
read or says what is wrong; confirming a preview saves it without a server error."""

import csv
import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.properties.stage import stage_build
from tests.properties.strategies import JUNK, PROFILE, TEXT, body_of, fingerprint, rolled_back

COLUMNS = ["phone", "number", "first_name", "last_name", "school", "", "phone", "Phone "]
CELLS = st.one_of(
    st.sampled_from(["(212) 555-0100", "+16465550101", "2125550102", "917-555-0103"]),
    JUNK,
    st.just("y" * 100_000),
)
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"])


@st.composite
def csv_files(draw: Any) -> bytes:
    header = draw(st.lists(st.sampled_from(COLUMNS) | TEXT, max_size=5))
    rows = draw(st.lists(st.lists(CELLS, max_size=len(header) + 2), max_size=6))
    text = io.StringIO()
    writer = csv.writer(text, delimiter=draw(st.sampled_from([",", ",", ";", "\t"])))
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    encoding = draw(ENCODINGS)
    return text.getvalue().encode(encoding, errors="replace")


FILES = st.one_of(csv_files(), st.binary(max_size=300), st.sampled_from([b"", b"\x00" * 50]))
HIDDEN = re.compile(r'name="(upload|token)" value="([^"]+)"')


@pytest.mark.parametrize("where", ["contacts", "opt_outs"])
def test_generated_files_at_the_imports(cast, where: str) -> None:
    stage = stage_build(cast)
    client = cast.client("alice")
    if where == "contacts":
        url = reverse("campaigns:contacts", kwargs={"pk": stage.draft.pk})
        confirm_url = reverse("campaigns:contacts_confirm", kwargs={"pk": stage.draft.pk})
    else:
        url = confirm_url = reverse("texting:opt_outs_import")

    @PROFILE
    @given(content=FILES)
    def upload(content: bytes) -> None:
        with rolled_back():
            before = fingerprint()
            preview = client.post(url, {"file": SimpleUploadedFile("people.csv", content)})
            assert preview.status_code < 500
            assert fingerprint() == before, "a preview saved something"
            body = body_of(preview)
            kept = HIDDEN.search(body)
            assert kept or 'class="errorlist' in body, "neither a preview nor a reason"
            if kept:
                confirmed = client.post(confirm_url, {kept.group(1): kept.group(2)})
                assert confirmed.status_code == 302
                assert client.get(confirmed["Location"]).status_code == 200

    upload()
