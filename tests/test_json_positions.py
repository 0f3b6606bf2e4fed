"""Line and column of JSON pointers in JSON text, and the strict parser's findings."""

from __future__ import annotations

import pytest

from cablekit.jsonschema_engine import Positions, parse, place, to_pointer

TEXT = """{
  "a/b": [1, {"x~y": "s\\"}t"}, [],
    "tail"],
  "é": {"k": null, "l": true},
  "": -1.5e3
}"""


def test_values_and_keys_are_located() -> None:
    pos = Positions.of(TEXT)
    assert pos.locate("") == (1, 1)
    assert pos.locate("/a~1b") == (2, 10)
    assert pos.locate("/a~1b", at_key=True) == (2, 3)
    assert pos.locate("/a~1b/0") == (2, 11)
    assert pos.locate("/a~1b/1") == (2, 14)
    assert pos.locate("/a~1b/1/x~0y") == (2, 22)
    assert pos.locate("/a~1b/2") == (2, 32)
    assert pos.locate("/a~1b/3") == (3, 5)
    assert pos.locate("/\u00e9/l") == (4, 25)
    assert pos.locate("/") == (5, 7)
    assert pos.duplicates == [] and pos.bad_literals == []


def test_a_pointer_that_does_not_exist_falls_back_to_its_parent() -> None:
    pos = Positions.of(TEXT)
    assert pos.locate("/\u00e9/missing") == pos.locate("/\u00e9") == (4, 8)


def test_pointer_escaping() -> None:
    assert to_pointer(["a/b", 0, "x~y"]) == "/a~1b/0/x~0y"


@pytest.mark.parametrize("fast", [True, False])
def test_duplicate_keys_are_found_at_the_second_key(fast: bool) -> None:
    text = '{\n  "a": {"b": 1,\n   "b": 2}\n}'
    parsed = parse(text.encode(), fast=fast)
    (d,) = place(parsed.findings, parsed.text, "f.json")
    assert (d.code, d.line, d.col, d.pointer) == ("CK-JSON-DUPLICATE-KEY", 3, 4, "/a/b")


def test_canonical_text_is_taken_from_the_fast_parser_and_others_are_checked() -> None:
    import json

    doc = {"a": [1, "x"], "b": {"c": None}}

    def canonical(v: object) -> bytes:
        return json.dumps(v, indent=2).encode() + b"\n"

    assert parse(canonical(doc), canonical=canonical).value == doc
    # Same content with a duplicate key: not canonical, so checked strictly.
    dup = b'{"a": [1, "x"], "b": {"c": null}, "a": 2}'
    assert [f.code for f in parse(dup, canonical=canonical).findings] == ["CK-JSON-DUPLICATE-KEY"]


@pytest.mark.parametrize(
    ("data", "code", "line", "col"),
    [
        (b'{\n "a": Infinity}', "CK-JSON-SYNTAX", 2, 7),
        (b'{"a": "\\udc00"}', "CK-JSON-SYNTAX", 1, 8),
        (b'{"a": "\\\\udc00"}', None, None, None),  # an escaped backslash, then text
        (b'{"a": "\\ud83d\\ude00"}', None, None, None),  # a surrogate pair is fine
        (b'{"a":\n "\xe9t\xe9"}', "CK-ENCODING", 2, 3),
        (b'\xef\xbb\xbf{"a\xff": 1}', "CK-ENCODING", 1, 4),  # columns do not count a BOM
        (b"{\n\n", "CK-JSON-SYNTAX", 3, 1),
    ],
)
def test_strict_parser(data: bytes, code: str | None, line: int | None, col: int | None) -> None:
    parsed = parse(data, fast=False)
    found = place(parsed.findings, parsed.text, None)
    if code is None:
        assert found == [] and parsed.value is not None
    else:
        assert [(d.code, d.line, d.col) for d in found] == [(code, line, col)]


def test_text_with_a_lone_surrogate_is_refused() -> None:
    parsed = parse('{"a": "x\ud800"}')
    assert [f.code for f in parsed.findings] == ["CK-ENCODING"]


def test_lines_are_shifted_for_json_lines() -> None:
    parsed = parse(b'{"a": 1, "a": 2}', fast=False)
    (d,) = place(parsed.findings, parsed.text, "b.jsonl", first_line=40)
    assert (d.line, d.col) == (40, 10)
