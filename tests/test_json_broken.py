"""Hand-made broken JSON documents: each has one defect and must be refused with its code,
on the line of the defect (tests/data/json/broken/EXPECTED.tsv says which)."""

from __future__ import annotations

from pathlib import Path

import pytest

import cablekit
from cablekit.converters import json as json_format

BROKEN = Path(__file__).parent / "data" / "json" / "broken"


def expected() -> list[tuple[str, str, int, str]]:
    rows = []
    for line in (BROKEN / "EXPECTED.tsv").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            name, code, number, why = line.split("\t")
            rows.append((name, code, int(number), why))
    return rows


CASES = expected()


def test_every_broken_document_is_listed_once() -> None:
    listed = [name for name, *_ in CASES]
    on_disk = sorted(p.name for p in BROKEN.glob("*.json"))
    assert sorted(listed) == on_disk
    assert len(set(listed)) == len(listed) >= 30


def test_defects_are_distinct() -> None:
    whys = [why for *_, why in CASES]
    assert len(set(whys)) == len(whys)
    # Many different checks are exercised, not one check many times.
    assert len({code for _, code, _, _ in CASES}) >= 15


@pytest.mark.parametrize(("name", "code", "line", "why"), CASES, ids=[c[0] for c in CASES])
def test_broken_document_is_refused(name: str, code: str, line: int, why: str) -> None:
    path = BROKEN / name
    found = cablekit.validate(path, "json")
    assert found, f"{name} ({why}) was accepted"
    first_line = min(d.line or 0 for d in found)
    assert first_line == line, f"{name}: first problem on line {first_line}, expected {line}"
    at_line = [d.code for d in found if d.line == line]
    assert code in at_line, f"{name}: codes on line {line}: {at_line}, expected {code}"
    for d in found:
        assert d.path == str(path) and d.severity == "error" and d.col and d.col >= 1
        assert d.message


@pytest.mark.parametrize(("name", "code", "line", "why"), CASES, ids=[c[0] for c in CASES])
def test_reading_a_broken_document_raises_with_its_position(
    name: str, code: str, line: int, why: str
) -> None:
    path = BROKEN / name
    with pytest.raises(cablekit.CablekitError) as info:
        cablekit.read(path, "json")
    err = info.value
    assert err.source == str(path)
    assert err.line == line
    assert str(err).startswith(f"{path}:{line}:")


@pytest.mark.parametrize(("name", "code", "line", "why"), CASES, ids=[c[0] for c in CASES])
def test_pure_python_path_gives_the_same_diagnostics(
    name: str, code: str, line: int, why: str
) -> None:
    data = (BROKEN / name).read_bytes()
    from cablekit import jsoncodec

    fast = jsoncodec.read(data, "x", compact=False, fast=True)[1]
    pure = jsoncodec.read(data, "x", compact=False, fast=False)[1]
    assert fast == pure


def test_a_broken_document_sniffed_as_json_is_checked_as_json() -> None:
    found = cablekit.validate((BROKEN / "20-unknown-major-version.json").read_bytes())
    assert [d.code for d in found] == ["CK-JSON-VERSION"]
    assert "2.0" in found[0].message and "1.x" in found[0].message


def test_validate_function_of_the_converter_names_the_source() -> None:
    data = (BROKEN / "12-bad-cable-id.json").read_bytes()
    (d,) = json_format.validate(data, "cables/x.json")
    assert (d.path, d.pointer) == ("cables/x.json", "/id")
    assert d.render().startswith("cables/x.json:4:9: ERROR CK-JSON-SCHEMA-PATTERN ")
