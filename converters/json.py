"""JSON: one cable per document in cablekit's format (schemas/cable.schema.json).

Every document is validated against the bundled schema when it is read and before it is
written; the mapping itself lives in cablekit.jsoncodec.
"""

from __future__ import annotations

from collections.abc import Callable

from cablekit import jsoncodec
from cablekit.errors import Diagnostic
from cablekit.model import Cable


def loads(data: bytes | str, source: str | None = None) -> Cable:
    """A cable from a JSON document; any diagnostic raises CablekitError (first one shown)."""
    cable, diagnostics = jsoncodec.read(data, source, compact=False)
    if cable is None:
        raise jsoncodec.error_of(diagnostics, source)
    return cable


def dumps(cable: Cable) -> bytes:
    """The cable as an indented JSON document (UTF-8, fixed key order, final newline)."""
    return jsoncodec.write(cable, compact=False)


def validate(data: bytes, source: str | None = None) -> list[Diagnostic]:
    """Every problem found in a JSON document: syntax, version, schema, consistency."""
    return jsoncodec.read(data, source, compact=False)[1]


def check_and_read(
    data: bytes, source: str | None = None
) -> tuple[list[Diagnostic], Cable | None, None]:
    """What validate finds, and the cable when there is no error (one reading for both);
    part positions are part_locations' to find."""
    cable, diagnostics = jsoncodec.read(data, source, compact=False)
    return diagnostics, cable, None


def part_locations(
    data: bytes, source: str | None = None
) -> list[tuple[int | None, int | None, str | None]]:
    """Where each part of the cable a valid document holds stands, in part order: line and
    column of its object in `layout.parts`, and its JSON pointer."""
    import bisect
    import re

    text = data.decode("utf-8", errors="replace")
    try:
        offsets = _part_offsets(text)
    except (ValueError, IndexError, StopIteration):  # another shape: the slow way
        from cablekit.jsonschema_engine import Positions

        positions = Positions.of(text)
        offsets = []
        while (pointer := f"/layout/parts/{len(offsets)}") in positions.values:
            offsets.append(positions.values[pointer])
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    out: list[tuple[int | None, int | None, str | None]] = []
    for index, offset in enumerate(offsets):
        line = bisect.bisect_right(starts, offset)
        out.append((line, offset - starts[line - 1] + 1, f"/layout/parts/{index}"))
    return out


_BLANKS = " \t\n\r"


def _part_offsets(text: str) -> list[int]:
    """Character offsets of the items of layout.parts in a JSON document: the top object and
    `layout` walked key by key, every other value skipped by the json module's own scanner
    (a tokenizer in Python over the whole text costs ten times more). ValueError,
    IndexError or StopIteration for a text of another shape."""
    import json

    # The decoder's C scanner: (value, end) of the value at an offset; not in the stubs.
    scan: Callable[[str, int], tuple[object, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]

    def blank(i: int) -> int:
        while text[i] in _BLANKS:
            i += 1
        return i

    def member(i: int, name: str) -> int:
        """The offset of the value of key `name` in the object opening at text[i]."""
        if text[i] != "{":
            raise ValueError("not an object")
        i = blank(i + 1)
        while text[i] != "}":
            key, i = scan(text, i)
            i = blank(i)
            if text[i] != ":":
                raise ValueError("no colon")
            i = blank(i + 1)
            if key == name:
                return i
            _, i = scan(text, i)
            i = blank(i)
            if text[i] == ",":
                i = blank(i + 1)
        raise ValueError(f"no {name}")

    i = member(member(blank(0), "layout"), "parts")
    if text[i] != "[":
        raise ValueError("parts is not an array")
    offsets: list[int] = []
    i = blank(i + 1)
    while text[i] != "]":
        offsets.append(i)
        _, i = scan(text, i)
        i = blank(i)
        if text[i] == ",":
            i = blank(i + 1)
    return offsets


def validate_cable(cable: Cable) -> list[Diagnostic]:
    """Problems a cable in memory would have as JSON (empty: it validates)."""
    return jsoncodec.check_cable(cable)
