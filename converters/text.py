"""Telegram text: the seed form (page metadata block + telegram) and the bare telegram.

Reading cuts the text into parts that keep their verbatim characters, so writing them back
gives the input byte for byte; the writer renders a metadata block when the page metadata
came from elsewhere (a web page's table, a CSV row). Text is UTF-8 unless the reader is told
another encoding; the cable keeps it (`source_encoding`) and the writer writes it back in it.
"""

from __future__ import annotations

import dataclasses
import re

from cablekit import encodings
from cablekit import normalize as norm
from cablekit.errors import CablekitError
from cablekit.model import Cable, PageMetadata, Paragraph
from cablekit.render import paragraph_text, part_text
from cablekit.telegram import NBSP, _content, cable_from_telegram, decode, split_lines

encoding_name = encodings.encoding_name  # the name a cable records for an encoding

SEED_LABELS = ("Identifier", "Created", "Released", "Classification", "Origin")


# --- the seed form's metadata block ------------------------------------------------------------


MAX_TITLE_LINES = 8  # the title is the subject's first line, between blank lines
RE_SEED_ID = re.compile(r"^[0-9]{2}[A-Z0-9]+[0-9]$")


def _check_seed_value(label: str, value: str, source: str | None, line: int) -> None:
    """A value line of the metadata block must be what its label says."""
    if label == "Identifier" and not RE_SEED_ID.match(value):
        problem = "is not a cable identifier"
    elif label in ("Created", "Released") and norm.parse_table_datetime(value) is None:
        problem = "is not a date and time"
    elif not value.strip() or any(ord(c) < 32 and c != "\t" for c in value):
        problem = "is empty or holds control characters"
    else:
        return
    raise CablekitError(
        f"metadata block: {label} {value!r} {problem}", source, line, 1, code="CK-METADATA"
    )


def _read_seed_block(lines: list[str], source: str | None) -> tuple[PageMetadata, int] | None:
    """The seed form starts with label lines then value lines, a title, tags, 'pdf' line."""
    labels: list[str] = []
    i = 0
    while i < len(lines) and _content(lines[i]) in SEED_LABELS and len(labels) < len(SEED_LABELS):
        labels.append(_content(lines[i]))
        i += 1
    if len(labels) < 2 or labels[0] != "Identifier":
        return None
    values: dict[str, str] = {}
    for label in labels:
        if i >= len(lines):
            raise CablekitError("metadata block ends before its values", source, i + 1)
        value = lines[i].rstrip("\r\n")
        _check_seed_value(label, value, source, i + 1)
        values[label] = value
        i += 1
    title_lines: list[str] = []
    tags: tuple[str, ...] = ()
    if i < len(lines) and lines[i].startswith("Cable title:"):
        title_at = i + 1
        title_lines.append(lines[i][len("Cable title:") :])
        i += 1
        while i < len(lines) and not lines[i].startswith("Tags:"):
            title_lines.append(lines[i])
            i += 1
            if len(title_lines) > MAX_TITLE_LINES:
                raise CablekitError(
                    "metadata block: no 'Tags:' line after 'Cable title:'", source, title_at
                )
        if i < len(lines) and lines[i].startswith("Tags:"):
            tags = tuple(t for t in re.split(r"[\s\u00a0,]+", lines[i][5:]) if t)
            i += 1
        if i < len(lines) and lines[i].startswith("pdf"):
            i += 1
    title = " ".join(x.strip(" \r\n" + NBSP) for x in title_lines if x.strip(" \r\n" + NBSP))
    created = values.get("Created")
    released = values.get("Released")
    page = PageMetadata(
        identifier=values.get("Identifier"),
        created=created,
        created_iso=norm.parse_table_datetime(created),
        released=released,
        released_iso=norm.parse_table_datetime(released),
        classification=values.get("Classification"),
        origin=values.get("Origin"),
        title=title or None,
        tags=tags,
        layout="".join(lines[:i]),
    )
    return page, i


def render_metadata_block(page: PageMetadata) -> str:
    """The seed form's block for metadata that came without one (a web page, a CSV row)."""
    labels: list[tuple[str, str | None]] = [
        ("Identifier", page.identifier),
        ("Created", page.created),
        ("Released", page.released),
        ("Classification", page.classification),
        ("Origin", page.origin),
    ]
    present = [(k, v) for k, v in labels if v is not None]
    out = [k + "\n" for k, _ in present] + [v + "\n" for _, v in present]
    if page.title is not None or page.tags:
        out.append(f"Cable title:{NBSP} {NBSP} \n\n{page.title or ''}\n\n")
        out.append(f"Tags:{NBSP} {NBSP} " + "".join(t + NBSP + " " for t in page.tags) + "\n")
        out.append(f"pdf{NBSP} how-to read a cable\n")
    return "".join(out)


# --- reading and writing -----------------------------------------------------------------------


def _decode(data: bytes | str, source: str | None, encoding: str) -> str:
    if isinstance(data, str) or encoding == "utf-8":
        try:
            return decode(data, source)
        except CablekitError as e:
            if e.code != "CK-ENCODING":
                raise
            raise CablekitError(
                f"{e.message}: if the file is in another encoding, name it "
                "(--encoding latin-1, for instance)",
                e.source,
                e.line,
                e.col,
                code=e.code,
            ) from None
    return encodings.decode(data, encoding, source)


def loads(data: bytes | str, source: str | None = None, encoding: str | None = None) -> Cable:
    """A cable from the seed form or a bare telegram, in UTF-8 or the encoding named (bytes
    only: a str is text already); the cable records the encoding its bytes were in."""
    name = encodings.encoding_name(encoding) if encoding is not None else "utf-8"
    text = _decode(data, source, name)
    lines = split_lines(text)
    page: PageMetadata | None = None
    start = 0
    if lines and _content(lines[0]) == "Identifier":
        seed = _read_seed_block(lines, source)
        if seed is not None:
            page, start = seed
    cable = cable_from_telegram("".join(lines[start:]), page, source)
    if name != "utf-8" and not isinstance(data, str):
        cable = dataclasses.replace(cable, source_encoding=name)
    return cable


def dumps(cable: Cable) -> bytes:
    """The text in the encoding the cable was read from (UTF-8 unless it says otherwise)."""
    text = dumps_str(cable)
    if cable.source_encoding == "utf-8":
        try:
            return text.encode("utf-8")
        except UnicodeError:  # a lone surrogate, in a cable built by hand: named by line
            pass
    return encodings.encode(text, cable.source_encoding)


def dumps_str(cable: Cable) -> str:
    head = ""
    if cable.page is not None:
        page = cable.page
        head = page.layout if page.layout is not None else render_metadata_block(page)
    out = [head]
    for part in cable.parts:
        if isinstance(part, Paragraph):
            out.append(paragraph_text(part))
        else:
            out.append(part.text or part_text(part))
    return "".join(out)
