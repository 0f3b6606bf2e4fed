"""The telegram reader over the corpus: byte-exact round trips, and accuracy against the
publisher's page table (an independent source), read from the bare telegram alone."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

import cablekit
from cablekit.converters.html import extract_page
from cablekit.model import Cable, Paragraph, Unrecognized

pytestmark = pytest.mark.corpus

# A date-time group anywhere in the text: DDHHMMZ MON YY.
RE_ANY_DTG = re.compile(
    r"\b[0-9]{6}Z\s+(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)\s+[0-9]{2}"
)


@dataclass(slots=True)
class Page:
    name: str
    table: dict[str, str]
    telegram: str
    bare: Cable  # read from the telegram text alone, no page metadata


@pytest.fixture(scope="module")
def pages(corpus: Path) -> list[Page]:
    folder = corpus / "cablegate-html"
    with (folder / "MANIFEST.tsv").open(encoding="utf-8", newline="") as f:
        table = {row["file"]: row for row in csv.DictReader(f, delimiter="\t")}
    out = []
    for name in sorted(table):
        _, telegram = extract_page((folder / name).read_bytes(), name)
        out.append(Page(name, table[name], telegram, cablekit.loads(telegram, "text")))
    assert len(out) == 1660
    return out


def test_every_page_reads_and_ends_with_its_telegram(corpus: Path, pages: list[Page]) -> None:
    folder = corpus / "cablegate-html"
    misses = []
    for page in pages:
        try:
            cable = cablekit.read(folder / page.name)
        except cablekit.CablekitError as e:
            misses.append(f"{page.name}: {e}")
            continue
        if not cablekit.dumps(cable, "text").endswith(page.telegram.encode("utf-8")):
            misses.append(f"{page.name}: text output does not end with the telegram")
        elif cable.page is None or cable.page.identifier != page.table["table_refid"]:
            misses.append(f"{page.name}: page metadata not kept")
    assert not misses, "\n".join(misses)


def test_bare_telegram_round_trip_is_byte_exact(pages: list[Page], figures: list[str]) -> None:
    misses = [p.name for p in pages if cablekit.dumps(p.bare, "text") != p.telegram.encode()]
    figures.append(f"telegram text round trip: {len(pages) - len(misses)}/{len(pages)} byte-exact")
    assert not misses, misses


def _level(table_value: str) -> str:
    return table_value.split("//")[0].strip()


def test_classification_accuracy(pages: list[Page], figures: list[str]) -> None:
    found = [p for p in pages if p.bare.classification is not None]
    wrong = [
        f"{p.name}: read {p.bare.classification}, table {p.table['classification']}"
        for p in found
        if p.bare.classification != _level(p.table["classification"])
    ]
    found_rate = len(found) / len(pages)
    agree_rate = 1 - len(wrong) / len(found)
    figures.append(
        f"classification: found {len(found)}/{len(pages)} ({found_rate:.1%}), "
        f"agrees {len(found) - len(wrong)}/{len(found)} ({agree_rate:.2%}); "
        f"disagreements: {'; '.join(wrong)}"
    )
    assert found_rate >= 0.97, [p.name for p in pages if p.bare.classification is None]
    assert agree_rate >= 0.99, wrong


def test_sent_accuracy(pages: list[Page], figures: list[str]) -> None:
    with_dtg = [p for p in pages if RE_ANY_DTG.search(p.telegram)]
    found = [p for p in pages if p.bare.sent is not None]
    found_of_dtg = [p for p in with_dtg if p.bare.sent is not None]
    wrong = []
    for p in found:
        sent = p.bare.sent
        assert sent is not None and sent.utcoffset() is not None and not sent.utcoffset()
        # The table's minutes repeat the hour: compare to the hour.
        if sent.strftime("%Y-%m-%d %H") != p.table["created"][:13]:
            wrong.append(f"{p.name}: read {sent:%Y-%m-%d %H:%M}, table {p.table['created']}")
    found_rate = len(found_of_dtg) / len(with_dtg)
    agree_rate = 1 - len(wrong) / len(found)
    figures.append(
        f"sent: found for {len(found_of_dtg)}/{len(with_dtg)} telegrams with a DTG "
        f"({found_rate:.1%}), agrees to the hour {len(found) - len(wrong)}/{len(found)} "
        f"({agree_rate:.2%}); disagreements: {'; '.join(wrong)}"
    )
    missing = [p.name for p in with_dtg if p.bare.sent is None]
    assert found_rate >= 0.99, missing
    assert agree_rate >= 0.99, wrong


def test_id_accuracy(pages: list[Page], figures: list[str]) -> None:
    with_dtg = [p for p in pages if RE_ANY_DTG.search(p.telegram)]
    found = [p for p in pages if p.bare.id is not None]
    found_of_dtg = [p for p in with_dtg if p.bare.id is not None]
    wrong = [
        f"{p.name}: read {p.bare.id}, table {p.table['table_refid']}"
        for p in found
        if p.bare.id != p.table["table_refid"]
    ]
    found_rate = len(found_of_dtg) / len(with_dtg)
    agree_rate = 1 - len(wrong) / len(found)
    figures.append(
        f"id: found for {len(found_of_dtg)}/{len(with_dtg)} telegrams with a DTG "
        f"({found_rate:.1%}), agrees {len(found) - len(wrong)}/{len(found)} ({agree_rate:.2%}); "
        f"disagreements: {'; '.join(wrong)}"
    )
    assert found_rate >= 0.97, [p.name for p in with_dtg if p.bare.id is None]
    assert agree_rate >= 0.98, wrong


def test_unrecognized_lines_below_one_percent(pages: list[Page], figures: list[str]) -> None:
    total = unrecognized = 0
    by_page: dict[str, int] = {}
    for p in pages:
        total += sum(1 for line in p.telegram.split("\n") if line.strip())
        n = sum(
            1
            for part in p.bare.parts
            if isinstance(part, Unrecognized)
            for line in part.text.split("\n")
            if line.strip()
        )
        if n:
            by_page[p.name] = n
            unrecognized += n
    rate = unrecognized / total
    worst = sorted(by_page.items(), key=lambda kv: -kv[1])[:10]
    figures.append(
        f"unrecognized lines: {unrecognized}/{total} ({rate:.3%}) in {len(by_page)} pages; "
        f"most: {worst}"
    )
    assert rate < 0.01


def test_parts_cover_the_text_in_order(pages: list[Page]) -> None:
    """No part is empty and paragraphs hold text: nothing is dropped or invented."""
    bad = []
    for p in pages:
        for part in p.bare.parts:
            if not part.text:
                bad.append(f"{p.name}: empty {part.kind}")
            if isinstance(part, Paragraph) and not any(
                isinstance(c, str) and c.strip() for c in part.content
            ):
                bad.append(f"{p.name}: paragraph without text")
    assert not bad, bad[:20]
