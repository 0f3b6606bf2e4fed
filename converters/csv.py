"""Stream the bulk `cables.csv` (Cablegate release) into records: page metadata + telegram text.

Owns the CSV record format only; the telegram text goes on to the telegram parser.

The file has no header row. A record is 8 double-quoted columns separated by commas — row id,
`M/D/YYYY H:MM` (the filing time, UTC), reference id, origin, classification, references
(`|`-separated cable ids), header, content — and starts at a line beginning `"<digits>","`.
Fields hold real newlines. Inside a field a backslash escapes the next character, MySQL style:
`\\"` and `\\'` occur in the release; `\\\\` is a backslash; `\\0 \\b \\n \\r \\t \\Z` are
read as NUL, BS, LF, CR, TAB and SUB as MySQL does; any other `\\c` is `c`.

The telegram is `header.strip() + "\\n" + content.strip()` (ASCII whitespace stripped at each
column's ends). That is how the cablegate pages join the two (see converters/html.py): the page
blocks are these columns without their trailing " \\n" and joined by one newline. Relation to
the page's telegram text, checked on 72TEHRAN1164 (the one cable the corpus has in both forms):

    they are equal except on a line holding "TAGS:", whose rest the page rewrote as its tag
    links joined by single spaces: the CSV keeps `TAGS: MASS, MARR, IR ` (commas, trailing
    blank, anything else on that line), the page has `TAGS: MASS MARR IR`.

The untouched column texts stay on the record (`header`, `content`) for a byte-exact writer.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO

from cablekit.errors import CablekitError
from cablekit.model import Cable, PageMetadata
from cablekit.telegram import cable_from_telegram

__all__ = ["CsvRecord", "is_csv", "iter_records", "loads"]

# A record starts at a line beginning "<digits>"," — inside a field every quote is escaped,
# so no continuation line can look like this.
_START = re.compile(rb'"\d+","')
_SNIFF = re.compile(rb'(?:\xef\xbb\xbf)?"\d+","\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}","')
_FIELD = r'"([^"\\]*(?:\\.[^"\\]*)*)"'  # a quoted field; the group is its escaped text
_RECORD = re.compile(
    r'"(\d+)",' + ",".join([_FIELD] * 7) + r"[ \t\r\n]*",
    re.DOTALL,
)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_MYSQL_ESCAPES = {"0": "\x00", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a"}
_ASCII_WS = " \t\n\r\f\v"
_DATE_FORMAT = "%m/%d/%Y %H:%M"
_BOM = b"\xef\xbb\xbf"

# A record far beyond any cable (the largest are a few hundred KB) means a broken quote ran
# on; it is reported and skipped so memory stays bounded whatever the file holds.
MAX_RECORD_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class CsvRecord:
    """One row: where it starts (1-based line), its row id, page metadata and telegram text."""

    line: int
    row_id: int
    page: PageMetadata
    telegram: str
    header: str = ""  # the header column, unescaped, unstripped
    content: str = ""  # the content column, unescaped, unstripped


def is_csv(head: bytes) -> bool:
    """Whether the first bytes look like a cables.csv record start."""
    return _SNIFF.match(head) is not None


def iter_records(
    stream: BinaryIO,
    source: str | None = None,
    max_record_bytes: int = MAX_RECORD_BYTES,
) -> Iterator[CsvRecord | CablekitError]:
    """Yield each record, or a CablekitError (at the record's first line) for a bad one.

    Reads line by line and holds one record at a time; iteration goes on after an error.
    """
    chunk: list[bytes] = []
    chunk_line = 0  # line where the chunk starts; 0 = no chunk
    size = 0
    skipping = False  # inside an over-long chunk, dropping lines until the next start
    lineno = 0
    for raw in stream:
        lineno += 1
        if lineno == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        if _START.match(raw):
            if chunk:
                yield _parse(chunk, chunk_line, source)
            chunk, chunk_line, size, skipping = [raw], lineno, len(raw), False
            continue
        if skipping:
            continue
        if not chunk:
            if not raw.strip():
                continue  # blank lines between records carry nothing
            chunk_line, size = lineno, 0
        chunk.append(raw)
        size += len(raw)
        if size > max_record_bytes:
            yield CablekitError(
                f"record longer than {max_record_bytes} bytes (unterminated field?); "
                "skipped to the next record",
                source=source,
                line=chunk_line,
            )
            chunk, skipping = [], True
    if chunk:
        yield _parse(chunk, chunk_line, source)


def loads(data: bytes | str, source: str | None = None) -> Cable:
    """A cable from CSV holding exactly one record (a whole file: use iter_records)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    found: CsvRecord | None = None
    for item in iter_records(io.BytesIO(raw), source):
        if isinstance(item, CablekitError):
            raise item
        if found is not None:
            raise CablekitError(
                "more than one record: read a whole file with iter_records",
                source=source,
                line=item.line,
            )
        found = item
    if found is None:
        raise CablekitError("empty input: no CSV record", source=source)
    return cable_from_telegram(found.telegram, found.page, source)


def _parse(chunk: list[bytes], line: int, source: str | None) -> CsvRecord | CablekitError:
    data = b"".join(chunk)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        col = len(data[line_start : exc.start].decode("utf-8")) + 1
        return CablekitError(
            f"invalid UTF-8 (byte 0x{data[exc.start]:02X})",
            source=source,
            line=line + data.count(b"\n", 0, exc.start),
            col=col,
        )
    if not _START.match(data):
        return CablekitError(
            'not a record: expected a line starting "<id>","<date>"', source=source, line=line
        )
    m = _RECORD.fullmatch(text)
    if m is None:
        return CablekitError(
            "malformed record: expected 8 quoted fields (unbalanced quote or stray text?)",
            source=source,
            line=line,
        )
    row_id, created, refid, origin, classification, refs, header, content = (
        m.group(1),
        *(_unescape(g) for g in m.groups()[1:]),
    )
    try:
        created_iso = datetime.strptime(created, _DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return CablekitError(
            f"malformed record: date {created!r} is not M/D/YYYY H:MM", source=source, line=line
        )
    if not refid:
        return CablekitError("malformed record: empty reference id", source=source, line=line)
    page = PageMetadata(
        identifier=refid,
        created=created,
        created_iso=created_iso,
        classification=classification or None,
        origin=origin or None,
        references=tuple(r for r in refs.split("|") if r),
    )
    if len(row_id) > 18:  # the release numbers its rows from 1; int() refuses 4,300 digits
        return CablekitError(
            f"malformed record: a row number of {len(row_id):,} digits", source=source, line=line
        )
    telegram = header.strip(_ASCII_WS) + "\n" + content.strip(_ASCII_WS)
    return CsvRecord(
        line=line,
        row_id=int(row_id),
        page=page,
        telegram=telegram,
        header=header,
        content=content,
    )


def _unescape(field: str) -> str:
    if "\\" not in field:
        return field
    return _ESCAPE.sub(lambda m: _MYSQL_ESCAPES.get(m.group(1), m.group(1)), field)
