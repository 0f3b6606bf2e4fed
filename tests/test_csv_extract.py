"""converters/csv.py: streaming the bulk cables.csv into records."""

from __future__ import annotations

import csv
import io
import re
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cablekit.converters.csv import CsvRecord, is_csv, iter_records
from cablekit.converters.html import extract_page
from cablekit.errors import CablekitError


def _records(data: bytes, source: str = "t.csv", **kw: int) -> list[CsvRecord | CablekitError]:
    return list(iter_records(io.BytesIO(data), source=source, **kw))


def _row(
    row_id: int,
    refid: str = "07BAKU595",
    header: str = "P 161324Z MAY 07\nFM AMEMBASSY BAKU",
    content: str = "UNCLAS BAKU 000595\n\nTAGS: PREL, AJ\n\nDERSE",
    date: str = "5/16/2007 13:24",
) -> str:
    """One record the way cables.csv writes it (quotes and backslashes escaped)."""

    def q(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("'", "\\'") + '"'

    fields = [str(row_id), date, refid, "Embassy Baku", "CONFIDENTIAL", "07STATE1|07BAKU568"]
    return ",".join(q(f) for f in [*fields, header, content]) + "\n"


# --- the corpus excerpt ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def excerpt(corpus: Path) -> Path:
    path = corpus / "cables-csv-excerpt"
    if not path.is_dir():
        pytest.skip(f"no cables-csv-excerpt in {corpus}")
    return path


def _stdlib_rows(path: Path) -> list[list[str]]:
    """An independent reading: the csv module with backslash escapes, no doubled quotes."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh, escapechar="\\", doublequote=False, strict=True))


@pytest.mark.corpus
def test_both_records_stream_out(excerpt: Path) -> None:
    sample = excerpt / "cables_sample.csv"
    with sample.open("rb") as fh:
        got = list(iter_records(fh, source=sample.name))
    assert all(isinstance(r, CsvRecord) for r in got), got
    records = [r for r in got if isinstance(r, CsvRecord)]
    rows = _stdlib_rows(sample)
    assert len(records) == len(rows) == 2
    # each record's first line: 1, then one past the lines of the records before it
    singles = [excerpt / "records" / f"{r.page.identifier}.csv" for r in records]
    starts = [1]
    for path in singles[:-1]:
        starts.append(starts[-1] + path.read_bytes().count(b"\n"))
    assert [r.line for r in records] == starts
    for record, row in zip(records, rows, strict=True):
        assert record.row_id == int(row[0])
        page = record.page
        assert page.created == row[1]
        assert page.created_iso == datetime.strptime(row[1], "%m/%d/%Y %H:%M").replace(tzinfo=UTC)
        assert (page.identifier, page.origin, page.classification) == (row[2], row[3], row[4])
        assert page.references == tuple(row[5].split("|"))
        assert (record.header, record.content) == (row[6], row[7])
        assert record.telegram == row[6].strip() + "\n" + row[7].strip()
        assert page.released is None and page.tags == () and page.layout is None


@pytest.mark.corpus
def test_single_record_files_match_the_sample(excerpt: Path) -> None:
    with (excerpt / "cables_sample.csv").open("rb") as fh:
        together = {r.page.identifier: r for r in iter_records(fh) if isinstance(r, CsvRecord)}
    singles = sorted((excerpt / "records").glob("*.csv"))
    assert len(singles) == 2
    for path in singles:
        with path.open("rb") as fh:
            (alone,) = list(iter_records(fh, source=path.name))
        assert isinstance(alone, CsvRecord), alone
        assert alone.line == 1 and alone.page.identifier == path.stem
        theirs = together[path.stem]
        assert (alone.page, alone.telegram, alone.row_id) == (
            theirs.page,
            theirs.telegram,
            theirs.row_id,
        )


def _tags_masked(text: str) -> str:
    return re.sub(r"TAGS:[^\n]*", "TAGS:", text)


def _tags_rest(text: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"TAGS:([^\n]*)", text)]


@pytest.mark.corpus
def test_csv_telegram_relates_to_the_page(excerpt: Path, corpus: Path) -> None:
    with (excerpt / "cables_sample.csv").open("rb") as fh:
        records = [r for r in iter_records(fh) if isinstance(r, CsvRecord)]
    compared, absent = [], []
    for record in records:
        page_path = corpus / "cablegate-html" / f"{record.page.identifier}.html"
        if not page_path.exists():
            absent.append(record.page.identifier)  # 66BUENOSAIRES2481 has no page in the corpus
            continue
        page, telegram = extract_page(page_path.read_bytes(), source=page_path.name)
        compared.append(record.page.identifier)
        # same cable, same table facts (the page's minutes are wrong, so only the day)
        assert page.identifier == record.page.identifier
        assert (page.classification, page.origin) == (
            record.page.classification,
            record.page.origin,
        )
        assert page.created_iso and record.page.created_iso
        assert page.created_iso.date() == record.page.created_iso.date()
        # The stated relation: equal but for what follows "TAGS:" on its line …
        assert _tags_masked(record.telegram) == _tags_masked(telegram)
        assert record.telegram != telegram  # … which does differ (commas)
        # … where the page has the CSV's tags, commas and blanks dropped, one space apart.
        csv_tags, page_tags = _tags_rest(record.telegram), _tags_rest(telegram)
        assert len(csv_tags) == len(page_tags) >= 1
        for c, p in zip(csv_tags, page_tags, strict=True):
            assert "," in c and "," not in p
            assert re.split(r"[\s,]+", c.strip()) == p.strip().split(" ")
            assert p == " " + p.strip()
        # the header column, stripped, is the page's header block exactly
        assert telegram.startswith(record.header.strip() + "\n")
    assert compared, f"no CSV record has a page in the corpus (absent: {absent})"


@pytest.mark.corpus
def test_sniff(excerpt: Path, corpus: Path) -> None:
    assert is_csv((excerpt / "cables_sample.csv").read_bytes()[:4096])
    page = next((corpus / "cablegate-html").glob("*.html"))
    assert not is_csv(page.read_bytes()[:4096])
    for seed in (corpus / "seed").glob("*"):
        assert not is_csv(seed.read_bytes()[:4096])


def test_sniff_synthetic() -> None:
    assert is_csv(_row(1).encode())
    assert is_csv(b"\xef\xbb\xbf" + _row(1).encode())
    assert not is_csv(b"")
    assert not is_csv(b'"id","date","refid"\n')
    assert not is_csv(b'{"identifier": "07BAKU595"}')


# --- synthetic files ---------------------------------------------------------------------------


def test_escapes_and_join() -> None:
    header = 'FM AMEMBASSY "X" \n'
    content = '  it\'s C:\\TEMP\\new "quoted"\nTAGS: PREL, AJ \n\n'
    (rec,) = _records(_row(7, header=header, content=content).encode())
    assert isinstance(rec, CsvRecord), rec
    assert (rec.header, rec.content) == (header, content)
    assert rec.telegram == 'FM AMEMBASSY "X"\nit\'s C:\\TEMP\\new "quoted"\nTAGS: PREL, AJ'
    assert rec.row_id == 7 and rec.page.references == ("07STATE1", "07BAKU568")


@pytest.mark.parametrize(
    ("escaped", "text"),
    [("a\\nb", "a\nb"), ("a\\tb", "a\tb"), ("a\\0b", "a\x00b"), ("a\\\\nb", "a\\nb"), ("\\q", "q")],
)
def test_mysql_escapes(escaped: str, text: str) -> None:
    line = f'"1","1/2/2003 4:05","03X1","O","C","","H","{escaped}"\n'
    (rec,) = _records(line.encode())
    assert isinstance(rec, CsvRecord), rec
    assert rec.content == text


def test_crlf_and_no_final_newline() -> None:
    data = _row(1).replace("\n", "\r\n") + _row(2).rstrip("\n")
    recs = _records(data.encode())
    assert [type(r) for r in recs] == [CsvRecord, CsvRecord], recs
    assert isinstance(recs[1], CsvRecord) and recs[1].line == _row(1).count("\n") + 1


def _lines_before(*rows: str) -> int:
    return sum(r.count("\n") for r in rows)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        # closing quote of the content missing: runs on until the next record starts
        (_row(2)[:-2] + "\n", "malformed record"),
        # a field short
        ('"2","5/16/2007 13:24","07BAKU2","O","C","","H"\n', "malformed record"),
        # unescaped quote inside the content
        (_row(2, content='SAID "NO" TWICE').replace('\\"', '"'), "malformed record"),
        # text after the last field
        (_row(2).rstrip("\n") + ",extra\n", "malformed record"),
        # a date that is no date
        (_row(2, date="13/45/2007 25:99"), "not M/D/YYYY H:MM"),
        (_row(2, refid=""), "empty reference id"),
    ],
)
def test_malformed_middle_record(bad: str, message: str) -> None:
    first, last = _row(1, refid="07BAKU1"), _row(3, refid="07BAKU3")
    recs = _records((first + bad + last).encode(), source="mid.csv")
    assert [type(r) for r in recs] == [CsvRecord, CablekitError, CsvRecord], recs
    err = recs[1]
    assert isinstance(err, CablekitError)
    assert err.source == "mid.csv" and err.line == _lines_before(first) + 1
    assert message in err.message
    assert isinstance(recs[2], CsvRecord)
    assert recs[2].page.identifier == "07BAKU3"
    assert recs[2].line == _lines_before(first, bad) + 1


def test_invalid_utf8_names_line_and_column() -> None:
    first = _row(1)
    bad = _row(2, content="LINE ONE\nÀÀ\xffBAD").encode("utf-8").replace(b"\xc3\xbf", b"\xff")
    recs = list(iter_records(io.BytesIO(first.encode() + bad + _row(3).encode()), source="u.csv"))
    assert [type(r) for r in recs] == [CsvRecord, CablekitError, CsvRecord], recs
    err = recs[1]
    assert isinstance(err, CablekitError)
    # the bad byte follows "ÀÀ" (2 characters, 4 bytes) at the start of a line of the record
    line_in_record = bad[: bad.index(b"\xff")].count(b"\n")
    assert (err.line, err.col) == (_lines_before(first) + 1 + line_in_record, 3)
    assert "UTF-8" in err.message


def test_garbage_before_first_record_and_header_row() -> None:
    data = '"id","date","refid"\nnot,a,record\n' + _row(1)
    recs = _records(data.encode())
    assert [type(r) for r in recs] == [CablekitError, CsvRecord], recs
    assert isinstance(recs[0], CablekitError) and recs[0].line == 1
    assert isinstance(recs[1], CsvRecord) and recs[1].line == 3


def test_blank_lines_between_records_and_bom() -> None:
    data = b"\xef\xbb\xbf" + _row(1).encode() + b"\n\n" + _row(2).encode()
    recs = _records(data)
    assert [type(r) for r in recs] == [CsvRecord, CsvRecord], recs
    assert [r.line for r in recs if isinstance(r, CsvRecord)] == [1, _row(1).count("\n") + 3]


def test_overlong_record_is_skipped() -> None:
    runaway = '"2","5/16/2007 13:24","07BAKU2","O","C","","H","' + "NO CLOSING QUOTE\n" * 500
    data = _row(1) + runaway + _row(3, refid="07BAKU3")
    recs = _records(data.encode(), max_record_bytes=2000)
    assert [type(r) for r in recs] == [CsvRecord, CablekitError, CsvRecord], recs
    assert isinstance(recs[1], CablekitError) and "longer than 2000" in recs[1].message
    assert recs[1].line == _lines_before(_row(1)) + 1


def test_empty_stream() -> None:
    assert _records(b"") == []


# --- streaming ---------------------------------------------------------------------------------


class _GeneratedStream(io.RawIOBase):
    """A raw stream whose bytes come from a generator, so the file never exists in memory."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""
        self.produced = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
            self.produced += len(self._pending)
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def _many(n: int) -> Iterator[bytes]:
    body = "PARAGRAPH TEXT " * 20 + "\n"
    for i in range(1, n + 1):
        yield _row(i, refid=f"07BAKU{i}", content=body * 3).encode()


def test_memory_stays_flat() -> None:
    n = 20_000
    total = sum(len(b) for b in _many(n))
    assert total > 15_000_000  # the file is large …
    raw = _GeneratedStream(_many(n))
    stream = io.BufferedReader(raw)
    tracemalloc.start()
    try:
        count = errors = 0
        for rec in iter_records(stream, source="gen.csv"):
            if isinstance(rec, CsvRecord):
                count += 1
            else:
                errors += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (count, errors) == (n, 0)
    assert raw.produced == total
    assert peak < 1_000_000, f"peak {peak} bytes for a {total}-byte file"  # … memory is not


def test_reads_lazily() -> None:
    raw = _GeneratedStream(_many(20_000))
    records = iter_records(io.BufferedReader(raw))
    first = next(records)
    assert isinstance(first, CsvRecord) and first.row_id == 1
    assert raw.produced < 64_000  # one record plus the read-ahead buffer, not the file


# --- the format registry's entry point ---------------------------------------------------------


def test_loads_one_record() -> None:
    from cablekit.converters.csv import loads

    cable = loads(_row(1), source="one.csv")
    assert cable.page is not None and cable.page.identifier == "07BAKU595"
    assert cable.telegram.startswith("P 161324Z MAY 07\n")
    with pytest.raises(CablekitError, match="more than one record") as info:
        loads(_row(1) + _row(2), source="two.csv")
    assert info.value.line == _row(1).count("\n") + 1
    with pytest.raises(CablekitError, match="malformed"):
        loads('"1","5/16/2007 13:24","X"\n')
    with pytest.raises(CablekitError, match="empty"):
        loads(b"")
