"""JSON Lines: one cable per line, each line a compact cablekit JSON document; read as a stream.

Lines are separated by LF alone (a JSON string may hold U+2028 and other separators raw);
a CR before the LF is tolerated. Blank lines are refused.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from cablekit import jsoncodec
from cablekit.errors import CablekitError, Diagnostic
from cablekit.model import Cable


def _lines(data: bytes | str | BinaryIO | Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    """(line number, line without its LF), streaming from files and iterables of lines."""
    if isinstance(data, str):
        try:
            data = data.encode("utf-8")
        except UnicodeEncodeError as e:
            raise CablekitError("text holds a lone surrogate", code="CK-ENCODING") from e
    stream: Iterable[bytes] = io.BytesIO(data) if isinstance(data, bytes) else data
    for number, line in enumerate(stream, 1):
        yield number, line[:-1] if line.endswith(b"\n") else line


def records(
    data: bytes | str | BinaryIO | Iterable[bytes],
    source: str | None = None,
    *,
    fast: bool | None = None,
) -> Iterator[tuple[int, Cable | None, list[Diagnostic]]]:
    """(line number, cable or None, diagnostics) for every line, without stopping at errors.

    fast=False keeps to the standard library and jsonschema even when orjson and
    jsonschema-rs are installed.
    """
    for number, line in _lines(data):
        if not line.strip(b" \t\r"):
            yield (
                number,
                None,
                [
                    Diagnostic(
                        "CK-JSONL-BLANK-LINE",
                        "error",
                        "blank line (JSON Lines holds one cable per line)",
                        source,
                        number,
                        1,
                    )
                ],
            )
            continue
        cable, diagnostics = jsoncodec.read(
            line, source, compact=True, first_line=number, fast=fast
        )
        yield number, cable, diagnostics


def iter_loads(
    data: bytes | str | BinaryIO | Iterable[bytes],
    source: str | None = None,
    *,
    fast: bool | None = None,
) -> Iterator[Cable]:
    """The cables of a JSON Lines text or stream, in order; the first bad line raises."""
    for _number, cable, diagnostics in records(data, source, fast=fast):
        if cable is None:
            raise jsoncodec.error_of(diagnostics, source)
        yield cable


def loads(data: bytes | str, source: str | None = None) -> Cable:
    """The one cable of a JSON Lines text (several cables: use iter_loads)."""
    found: Cable | None = None
    for number, cable in enumerate(iter_loads(data, source), 1):
        if number > 1:
            raise CablekitError(
                "several cables in this JSON Lines text; read them with "
                "cablekit.converters.jsonl.iter_loads",
                source,
                number,
                1,
                code="CK-JSONL-MANY",
            )
        found = cable
    if found is None:
        raise CablekitError("no cable: the text is empty", source, 1, 1, code="CK-EMPTY")
    return found


def dumps(cable: Cable) -> bytes:
    """The cable as one JSON Lines line (compact JSON and LF), validated before it is returned."""
    return jsoncodec.write(cable, compact=True)


def dumps_many(cables: Iterable[Cable]) -> Iterator[bytes]:
    """One line per cable, for writing a batch as it is converted."""
    for cable in cables:
        yield jsoncodec.write(cable, compact=True)


def validate(data: bytes, source: str | None = None) -> list[Diagnostic]:
    """Every problem on every line; an empty text is an error (it holds no cable)."""
    out: list[Diagnostic] = []
    seen = False
    for _number, _cable, diagnostics in records(data, source):
        seen = True
        out.extend(diagnostics)
    if not seen:
        out.append(Diagnostic("CK-EMPTY", "error", "no cable: the text is empty", source, 1, 1))
    return out
