"""The library entry points: read a path, load bytes or text, dump a cable to a format."""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

from cablekit.errors import CablekitError
from cablekit.formats import FORMATS, converter, sniff
from cablekit.model import Cable, Paragraph, Part


def _check_fmt(fmt: str, *, write: bool) -> None:
    entry = FORMATS.get(fmt)
    if entry is None or not entry[2 if write else 1]:
        usable = sorted(n for n, e in FORMATS.items() if e[2 if write else 1])
        what = "write" if write else "read"
        raise CablekitError(
            f"cannot {what} format {fmt!r} (formats: {', '.join(usable)})", code="CK-FORMAT"
        )


def loads(
    data: bytes | str,
    fmt: str | None = None,
    *,
    source: str | None = None,
    encoding: str | None = None,
) -> Cable:
    """A cable from bytes or text; the format is sniffed from the content when fmt is None.

    `encoding` names the encoding of telegram text (default UTF-8; ValueError for an
    encoding Python does not know). The other formats say their own: JSON is UTF-8, XML and
    cable pages declare theirs.
    """
    if fmt is None:
        head = data[:4096] if isinstance(data, bytes) else data[:4096].encode("utf-8", "replace")
        fmt = sniff(head)
    _check_fmt(fmt, write=False)
    module = converter(fmt)
    if encoding is not None and fmt == "text":
        cable: Cable = module.loads(data, source, encoding)
    else:
        cable = module.loads(data, source)
    return cable


def read(
    source: str | os.PathLike[str], fmt: str | None = None, *, encoding: str | None = None
) -> Cable:
    """A cable from a file path (`encoding`: that of telegram text, as for loads)."""
    path = Path(source)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise CablekitError("is a directory, not a cable file", str(path), code="CK-IO") from None
    except OSError as e:
        raise CablekitError(e.strerror or str(e), str(path), code="CK-IO") from None
    return loads(data, fmt, source=str(path), encoding=encoding)


def dumps(cable: Cable, fmt: str) -> bytes:
    """The cable written in a format, as bytes, checked before it is returned.

    JSON writers validate what they write against the bundled JSON Schema. Telegram text is
    read back: it must give the same telegram and page metadata, and the cable read must
    validate against the JSON Schema. A failed check raises CablekitError; nothing is returned.
    """
    if not isinstance(cable, Cable):
        # A caller's mistake, not bad input: no CablekitError that would blame a file.
        raise TypeError(f"dumps() takes a Cable, not {type(cable).__name__}")
    _check_fmt(fmt, write=True)
    out: bytes = converter(fmt).dumps(cable)
    if fmt == "text":
        _check_text_output(cable, out)
    return out


_PAGE_FIELDS_IN_TEXT = (
    "identifier",
    "created",
    "created_iso",
    "released",
    "released_iso",
    "classification",
    "origin",
    "title",
    "tags",
)


def _check_text_output(cable: Cable, out: bytes) -> None:
    """Read back a telegram text just written and hold it to the cable it was written from."""
    label = f"cable {cable.id}" if cable.id else "the cable"
    text = converter("text")
    try:
        back: Cable = text.loads(out, None, cable.source_encoding)
    except CablekitError as e:
        raise CablekitError(
            f"the text written for {label} cannot be read back: {e.message}",
            code="CK-TEXT-READBACK",
        ) from None
    problem = _text_difference(cable, back, out, text.dumps(back))
    if problem:
        raise CablekitError(
            f"the text written for {label} reads back differently: {problem}",
            code="CK-TEXT-READBACK",
        )
    found = converter("json").validate_cable(back)
    if found:
        raise CablekitError(
            f"the text written for {label} reads back as a cable that does not validate: "
            f"{found[0].message}",
            code=found[0].code,
        )


def _text_difference(cable: Cable, back: Cable, wrote: bytes, again: bytes) -> str | None:
    """What the text form carries that differs between two cables (None: nothing).

    The text carries its own bytes, the page metadata of its block, and, for parts built
    from fields (no verbatim text), those fields. Verbatim parts are held to their bytes
    only: their typed fields are readings of the text, which a newer reader may improve.
    """
    if wrote != again:
        at = next((i for i, (a, b) in enumerate(zip(wrote, again, strict=False)) if a != b), None)
        at = min(len(wrote), len(again)) if at is None else at
        line = wrote.count(b"\n", 0, at) + 1
        return f"its bytes differ from line {line} on"
    if (cable.page is None) != (back.page is None):
        return "page metadata " + ("appears" if cable.page is None else "is lost")
    if cable.page is not None and back.page is not None:
        if cable.page.layout is not None and cable.page.layout != back.page.layout:
            return "the page metadata block differs"
        for name in _PAGE_FIELDS_IN_TEXT:
            a, b = getattr(cable.page, name), getattr(back.page, name)
            if a != b:
                return f"page {name} {a!r} reads back as {b!r}"
    if not any(_built_from_fields(p) for p in cable.parts):
        return None
    kinds = [p.kind for p in cable.parts], [p.kind for p in back.parts]
    if kinds[0] != kinds[1]:
        i = next((i for i, (a, b) in enumerate(zip(*kinds, strict=False)) if a != b), None)
        i = min(map(len, kinds)) if i is None else i
        wrote_kind, read_kind = ([*k, "nothing"][i] for k in kinds)
        return f"part {i + 1} ({wrote_kind}) reads back as {read_kind}"
    for i, (a, b) in enumerate(zip(cable.parts, back.parts, strict=True)):
        if not _built_from_fields(a):
            continue
        names = ("number", "marking") if isinstance(a, Paragraph) else _field_names(a)
        for name in names:
            if getattr(a, name) != getattr(b, name):
                return (
                    f"part {i + 1} ({a.kind}) {name} {getattr(a, name)!r} reads back as "
                    f"{getattr(b, name)!r}"
                )
    return None


def _built_from_fields(part: Part) -> bool:
    """A part the text writer renders from its fields rather than writing verbatim text."""
    if isinstance(part, Paragraph):
        return part.number is not None and not re.match(
            rf"\s*{re.escape(part.number)}\s?[.)]", part.text
        )
    return not part.text


def _field_names(part: Part) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(part) if f.name != "text")
