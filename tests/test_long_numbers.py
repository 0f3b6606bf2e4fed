"""Numbers longer than Python converts to int (4,300 digits by default) in a document that
is otherwise well formed: each reader refuses them with its own error and a position, never
with a ValueError from int()."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

import cablekit
from cablekit import CablekitError

LONG = "7" * (sys.get_int_max_str_digits() + 700)


@pytest.fixture(scope="module")
def seed_cable(seed_path: Path) -> cablekit.Cable:
    return cablekit.read(seed_path)


def _with_long(data: bytes, pattern: str) -> tuple[bytes, int]:
    """data with the digits of pattern's group 1 made LONG; the line they stand on."""
    text = data.decode()
    m = re.search(pattern, text)
    assert m is not None, f"no {pattern!r} in the document"
    line = text.count("\n", 0, m.start(1)) + 1
    return (text[: m.start(1)] + LONG + text[m.end(1) :]).encode(), line


def test_json_number_too_long(seed_cable: cablekit.Cable) -> None:
    data, line = _with_long(cablekit.dumps(seed_cable, "json"), r'"julian_day": ?([0-9]+)')
    with pytest.raises(CablekitError) as e:
        cablekit.loads(data, "json")
    assert e.value.code == "CK-JSON-SYNTAX"
    assert f"{len(LONG):,} digits" in e.value.message
    assert e.value.line == line
    found = cablekit.validate(data, "json")
    assert [(d.code, d.line) for d in found] == [("CK-JSON-SYNTAX", line)]


def test_jsonl_number_too_long(seed_cable: cablekit.Cable) -> None:
    one = cablekit.dumps(seed_cable, "jsonl")
    data, _ = _with_long(one, r'"julian_day": ?([0-9]+)')
    with pytest.raises(CablekitError) as e:
        cablekit.loads(data, "jsonl")
    assert e.value.code == "CK-JSON-SYNTAX"
    assert f"{len(LONG):,} digits" in e.value.message


def test_tei_number_too_long(seed_cable: cablekit.Cable) -> None:
    data, line = _with_long(
        cablekit.dumps(seed_cable, "tei"), r'<num type="julian-day" value="([0-9]+)"'
    )
    with pytest.raises(CablekitError) as e:
        cablekit.loads(data, "tei")
    assert e.value.code == "TEI-MODEL"
    assert f"{len(LONG):,} digits" in e.value.message
    assert e.value.line == line
    found = cablekit.validate(data, "tei")
    assert [(d.code, d.line) for d in found] == [("TEI-MODEL", line)]


def test_csv_row_number_too_long(seed_cable: cablekit.Cable) -> None:
    header, _, content = seed_cable.telegram.partition("\n")

    def field(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    values = [LONG, "5/16/2007 13:24", "07BAKU595", "Embassy Baku", "CONFIDENTIAL", ""]
    record = ",".join(field(v) for v in [*values, header, content]) + "\n"
    with pytest.raises(CablekitError) as e:
        cablekit.loads(record.encode(), "csv")
    assert "malformed record" in e.value.message
    assert f"{len(LONG):,} digits" in e.value.message
    assert e.value.line == 1
