"""The character encodings telegram text is read and written in: which are accepted, the name
a cable records for one, and decoding and encoding with errors that name the place."""

from __future__ import annotations

import codecs

from cablekit.errors import CablekitError

# Characters telegrams use: an encoding must carry them as themselves, one for one, for text
# written back in it to be the text read. Escape codecs fail it (unicode_escape writes a line
# end as a backslash and an n, raw_unicode_escape reads one as an escape), and so do idna
# (no empty label, "..") and undefined.
_PROBE = "AZaz09 .,:;/()-'\"\t\n..\\u0041\\n\\\\"


# Codecs that pass the probe yet transform text as a whole (punycode appends a delimiter and
# encodes what follows it).
_NOT_TEXT = frozenset({"punycode"})


def encoding_name(encoding: str) -> str:
    """The name cablekit records for an encoding (Python's: 'latin-1' -> 'iso8859-1').

    ValueError for an encoding Python does not know, and for one that is not a plain
    character encoding (escape codecs, codecs of bytes, codecs that cannot carry a line).
    """
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}") from None
    problem = None
    if not getattr(info, "_is_text_encoding", True):
        problem = "is not a text encoding"
    else:
        try:
            back = _PROBE.encode(info.name).decode(info.name)
            if back != _PROBE or b"\\" in "\n".encode(info.name) or info.name in _NOT_TEXT:
                problem = "does not carry text as it is"
        except (UnicodeError, LookupError, TypeError):
            problem = "does not carry text as it is"
    if problem is not None:
        raise ValueError(f"{encoding!r} {problem}: name a character encoding (latin-1, cp1252...)")
    return info.name


def decode(data: bytes, encoding: str, source: str | None) -> str:
    """`data` decoded; a byte the encoding cannot read, or bytes that would not be written
    back as they are (a byte-order mark Python adds or drops), is a CablekitError with its
    line and column (in characters)."""
    try:
        text = data.decode(encoding)
    except UnicodeError as e:
        start = getattr(e, "start", 0)
        seen: bytes = getattr(e, "object", data)
        before = seen[:start].decode(encoding, errors="replace")
        line = before.count("\n") + 1
        col = len(before) - (before.rfind("\n") + 1) + 1
        bad = f" (byte 0x{seen[start]:02x})" if start < len(seen) else ""
        raise CablekitError(
            f"not {encoding} text{bad}", source, line, col, code="CK-ENCODING"
        ) from None
    try:
        same = text.encode(encoding) == data
    except UnicodeError:
        same = False
    if not same:
        raise CablekitError(
            f"{encoding} reads these bytes but would not write them back as they are (a "
            "byte-order mark or byte order of its own): name the exact form, utf-16-le, "
            "utf-16-be or utf-8-sig for instance",
            source,
            1,
            1,
            code="CK-ENCODING",
        )
    return text


def encode(text: str, encoding: str) -> bytes:
    """`text` in an encoding recorded by a cable; a character it cannot hold (or an encoding
    it does not accept) is a CablekitError naming the line."""
    try:
        name = encoding_name(encoding)
    except ValueError as e:
        raise CablekitError(f"cannot write the text: {e}", code="CK-ENCODING") from None
    try:
        return text.encode(name)
    except UnicodeError as e:
        at = getattr(e, "start", 0)
        line = text.count("\n", 0, at) + 1
        what = f"character U+{ord(text[at]):04X}" if at < len(text) else "the text"
        raise CablekitError(
            f"{what} on line {line} cannot be written in {name}, the encoding the cable was "
            "read from",
            code="CK-ENCODING",
        ) from None
