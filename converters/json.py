"""JSON: one cable per document in cablekit's format (schemas/cable.schema.json).

Every document is validated against the bundled schema when it is read and before it is
written; the mapping itself lives in cablekit.jsoncodec.
"""

from __future__ import annotations

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


def check_and_read(data: bytes, source: str | None = None) -> tuple[list[Diagnostic], Cable | None]:
    """What validate finds, and the cable when there is no error (one reading for both)."""
    cable, diagnostics = jsoncodec.read(data, source, compact=False)
    return diagnostics, cable


def part_locations(
    data: bytes, source: str | None = None
) -> list[tuple[int | None, int | None, str | None]]:
    """Where each part of the cable a valid document holds stands, in part order: line and
    column of its object in `layout.parts`, and its JSON pointer."""
    from cablekit.jsonschema_engine import Positions

    positions = Positions.of(data.decode("utf-8", errors="replace"))
    out: list[tuple[int | None, int | None, str | None]] = []
    while (pointer := f"/layout/parts/{len(out)}") in positions.values:
        line, col = positions.line_col(positions.values[pointer])
        out.append((line, col, pointer))
    return out


def validate_cable(cable: Cable) -> list[Diagnostic]:
    """Problems a cable in memory would have as JSON (empty: it validates)."""
    return jsoncodec.check_cable(cable)
