"""JSON Lines: one cable per line, streamed, with diagnostics on the right line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import cablekit
from cablekit.converters import jsonl
from cablekit.model import Cable

DATA = Path(__file__).parent / "data" / "json"


@pytest.fixture(scope="module")
def cables(seed_bytes: bytes) -> list[Cable]:
    return [cablekit.loads(seed_bytes), cablekit.read(DATA / "sample-cable.txt")]


def test_one_cable_is_one_line(cables: list[Cable]) -> None:
    for cable in cables:
        line = cablekit.dumps(cable, "jsonl")
        assert line.endswith(b"\n") and line.count(b"\n") == 1
        assert cablekit.loads(line, "jsonl") == cable
        assert json.loads(line) == json.loads(cablekit.dumps(cable, "json"))


def test_a_batch_streams_back_in_order(cables: list[Cable]) -> None:
    data = b"".join(jsonl.dumps_many(cables * 3))
    assert list(jsonl.iter_loads(data)) == cables * 3
    assert list(jsonl.iter_loads(io.BytesIO(data))) == cables * 3  # a binary file
    assert list(jsonl.iter_loads(data.decode("utf-8"))) == cables * 3
    assert jsonl.validate(data) == []


def test_lines_split_on_line_feed_only(cables: list[Cable]) -> None:
    """Raw U+2028 and CR inside strings do not end a line."""
    import dataclasses

    from cablekit.model import Paragraph

    cable = cables[1]
    parts = tuple(
        dataclasses.replace(p, content=("1. A\u2028B\rC\n", *p.content[1:]))
        if isinstance(p, Paragraph) and p.number == "1"
        else p
        for p in cable.parts
    )
    odd = dataclasses.replace(cable, parts=parts)
    data = jsonl.dumps(odd) + jsonl.dumps(cable)
    assert "\u2028".encode() in data
    assert list(jsonl.iter_loads(data)) == [odd, cable]


def test_crlf_line_ends_and_a_missing_final_newline_are_read(cables: list[Cable]) -> None:
    lines = [jsonl.dumps(c).rstrip(b"\n") for c in cables]
    assert list(jsonl.iter_loads(b"\r\n".join(lines))) == cables


def test_bad_line_is_reported_on_its_line(cables: list[Cable]) -> None:
    good = [jsonl.dumps(c) for c in cables]
    broken = good[0].replace(b'"version":"1.0"', b'"version":"9.0"')
    data = good[0] + good[1] + broken + good[1]
    found = jsonl.validate(data, "batch.jsonl")
    assert [(d.code, d.line, d.path) for d in found] == [("CK-JSON-VERSION", 3, "batch.jsonl")]
    assert found[0].col == data.split(b"\n")[2].index(b'"9.0"') + 1
    with pytest.raises(cablekit.CablekitError) as info:
        list(jsonl.iter_loads(data, "batch.jsonl"))
    assert (info.value.line, info.value.code) == (3, "CK-JSON-VERSION")


def test_records_keep_going_past_bad_lines(cables: list[Cable]) -> None:
    good = [jsonl.dumps(c) for c in cables]
    data = good[0] + b"{not json\n" + b"\n" + good[1]
    got = [(n, c is not None, [d.code for d in ds]) for n, c, ds in jsonl.records(data)]
    assert got == [
        (1, True, []),
        (2, False, ["CK-JSON-SYNTAX"]),
        (3, False, ["CK-JSONL-BLANK-LINE"]),
        (4, True, []),
    ]


def test_duplicate_key_on_a_line_is_found(cables: list[Cable]) -> None:
    line = jsonl.dumps(cables[1])
    dup = line.replace(b'"signature":"DOE",', b'"signature":"DOE","signature":"DOE",', 1)
    assert dup != line
    (d,) = jsonl.validate(b"\n".join([line.rstrip(b"\n"), dup]))
    assert (d.code, d.line) == ("CK-JSON-DUPLICATE-KEY", 2)
    assert d.col == dup.index(b'"signature"', dup.index(b'"signature"') + 1) + 1


def test_loads_wants_exactly_one_cable(cables: list[Cable]) -> None:
    data = b"".join(jsonl.dumps_many(cables))
    with pytest.raises(cablekit.CablekitError) as info:
        cablekit.loads(data, "jsonl", source="two.jsonl")
    assert (info.value.code, info.value.line) == ("CK-JSONL-MANY", 2)
    with pytest.raises(cablekit.CablekitError) as info:
        cablekit.loads(b"", "jsonl")
    assert info.value.code == "CK-EMPTY"
    assert [d.code for d in jsonl.validate(b"")] == ["CK-EMPTY"]


def test_indented_json_is_not_json_lines(cables: list[Cable]) -> None:
    found = jsonl.validate(cablekit.dumps(cables[1], "json"))
    # Lines such as '    "SIPDIS"' are JSON, but not cables.
    assert found and {d.code for d in found} == {"CK-JSON-SYNTAX", "CK-JSON-NOT-CABLE"}
    assert (found[0].code, found[0].line) == ("CK-JSON-SYNTAX", 1)
