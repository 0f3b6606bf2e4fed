"""The character encodings telegram text is read and written in: which are accepted, the name
a cable records for one, and decoding and encoding with errors that name the place."""

from __future__ import annotations

import codecs
import re

from cablekit.errors import CablekitError

# Characters telegrams use: an encoding must carry them as themselves, one for one, for text
# written back in it to be the text read. Escape codecs fail it (unicode_escape writes a line
# end as a backslash and an n, raw_unicode_escape reads one as an escape), and so do idna
# (no empty label, "..") and undefined.
_PROBE = "AZaz09 .,:;/()-'\"\t\n..\\u0041\\n\\\\"

# Codecs that pass the probe yet transform text as a whole (punycode appends a delimiter and
# encodes what follows it).
_NOT_TEXT = frozenset({"punycode"})

# How a cable records its encoding (the JSON Schema's pattern for source_encoding).
RECORDED_NAME = re.compile(r"[A-Za-z0-9._-]+")


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


def ascii_compatible(encoding: str) -> bool:
    """Whether the encoding writes ASCII as ASCII, one byte a character (what the format
    sniffing and the binary-data test look at)."""
    try:
        return "\nA".encode(encoding) == b"\nA"
    except (UnicodeError, LookupError):
        return False


def recorded_problem(name: str, text: str | None = None) -> str | None:
    """What is wrong with an encoding a cable records (None: nothing): it must be spelt as
    the formats allow, be one text can be written back in, and hold the text if given."""
    if name == "utf-8":
        return None
    if RECORDED_NAME.fullmatch(name) is None:
        return f"{name!r} is not an encoding name (letters, digits, '.', '_', '-')"
    try:
        canonical = encoding_name(name)
    except ValueError as e:
        return str(e)
    if text is not None:
        try:
            text.encode(canonical)
        except UnicodeError as e:
            at = getattr(e, "start", 0)
            line = text.count("\n", 0, at) + 1
            char = f"U+{ord(text[at]):04X}" if at < len(text) else "a character"
            return f"{char} on line {line} of the telegram cannot be written in {canonical}"
    return None


def decode(data: bytes, encoding: str, source: str | None) -> str:
    """`data` decoded; a byte the encoding cannot read, or bytes it would not write back as
    they are (a byte-order mark of its own, another byte sequence for a character), is a
    CablekitError with its line and column (in characters)."""
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
    if data:  # an empty file is the reader's to refuse as empty
        _check_written_back(text, data, encoding, source)
    return text


_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _check_written_back(text: str, data: bytes, encoding: str, source: str | None) -> None:
    try:
        if text.encode(encoding) == data:
            return
    except UnicodeError:
        pass
    # Where the bytes written back would first differ: character by character, only here.
    encoder = codecs.getincrementalencoder(encoding)()
    done = 0
    for i, char in enumerate(text):
        try:
            chunk = encoder.encode(char)
        except UnicodeError:
            chunk = b"?"  # cannot be written at all: differs from any byte read
        if data[done : done + len(chunk)] == chunk:
            done += len(chunk)
            continue
        before = text[:i]
        line = before.count("\n") + 1
        col = i - (before.rfind("\n") + 1) + 1
        if done == 0 and (data.startswith(_BOMS) or chunk.startswith(_BOMS)):
            message = (
                f"{encoding} would write these bytes back with another byte-order mark: name "
                "the exact form (utf-16-le, utf-16-be, utf-8-sig, utf-8)"
            )
        else:
            read = data[done : done + max(len(chunk), 1)].hex(" ")
            message = (
                f"{encoding} reads character U+{ord(char):04X} (bytes {read}) but would write "
                f"it back as {chunk.hex(' ')}: the file would not come back byte for byte"
            )
        raise CablekitError(message, source, line, col, code="CK-ENCODING")
    raise CablekitError(
        f"{encoding} would not write these bytes back as they are (they end differently)",
        source,
        text.count("\n") + 1,
        len(text) - (text.rfind("\n") + 1) + 1,
        code="CK-ENCODING",
    )


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
