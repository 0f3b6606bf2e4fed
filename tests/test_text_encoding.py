"""Telegram text in an encoding other than UTF-8 (the PDF-text sample is ISO-8859-1): read when
the encoding is named, kept in the cable, written back byte for byte in it, through JSON and
TEI too; refused with its line, column and a hint when it is not named."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from test_cli import ledger, run

import cablekit
from cablekit.converters import text as text_format


@pytest.fixture(scope="module")
def latin1_seed(seed_bytes: bytes) -> bytes:
    """The seed with a pilcrow (0xB6 in ISO-8859-1, not UTF-8 alone) in its body."""
    body = seed_bytes.decode("utf-8").replace("\n1. (C) ", "\n1. (C) \u00b6 ", 1)
    assert "\u00b6" in body
    return body.encode("latin-1")


def test_named_encoding_reads_and_writes_back_byte_for_byte(
    latin1_seed: bytes, seed_bytes: bytes
) -> None:
    cable = cablekit.loads(latin1_seed, "text", encoding="latin-1")
    assert cable.source_encoding == "iso8859-1"
    assert "\u00b6" in cable.telegram
    assert cablekit.dumps(cable, "text") == latin1_seed
    # The same reading as the UTF-8 seed, but for the added character.
    utf8 = cablekit.loads(seed_bytes, "text")
    assert cable.id == utf8.id and cable.sent == utf8.sent and cable.subject == utf8.subject
    assert len(cable.parts) == len(utf8.parts)


@pytest.mark.parametrize("fmt", ["json", "tei"])
def test_encoding_survives_json_and_tei(latin1_seed: bytes, fmt: str) -> None:
    cable = cablekit.loads(latin1_seed, "text", encoding="latin-1")
    back = cablekit.loads(cablekit.dumps(cable, fmt), fmt)
    assert back == cable
    assert cablekit.dumps(back, "text") == latin1_seed


def test_unnamed_encoding_is_refused_with_position_and_hint(latin1_seed: bytes) -> None:
    with pytest.raises(cablekit.CablekitError) as e:
        cablekit.loads(latin1_seed, "text", source="cable.txt")
    # The first byte above 0x7F: its NBSPs (0xA0) come before the pilcrow.
    first = next(i for i, b in enumerate(latin1_seed) if b > 0x7F)
    line = latin1_seed.count(b"\n", 0, first) + 1
    col = first - latin1_seed.rfind(b"\n", 0, first)
    assert (e.value.code, e.value.line, e.value.col) == ("CK-ENCODING", line, col)
    assert f"0x{latin1_seed[first]:02x}" in e.value.message and "--encoding" in e.value.message


def test_bytes_the_named_encoding_cannot_hold_are_refused() -> None:
    with pytest.raises(cablekit.CablekitError) as e:
        cablekit.loads(b"SUBJECT: TEST\n\n1. Text \x81.\n", "text", encoding="cp1252", source="x")
    assert e.value.code == "CK-ENCODING" and (e.value.line, e.value.col) == (3, 9)
    assert "cp1252" in e.value.message


@pytest.mark.parametrize("name", ["no-such-encoding", "base64"])
def test_an_encoding_that_is_no_text_encoding_is_the_callers_mistake(name: str) -> None:
    with pytest.raises(ValueError):
        cablekit.loads(b"SUBJECT: TEST\n", "text", encoding=name)
    with pytest.raises(ValueError):
        cablekit.validate(b"SUBJECT: TEST\n", "text", encoding=name)


def test_a_character_the_encoding_cannot_hold_is_not_written(latin1_seed: bytes) -> None:
    cable = cablekit.loads(latin1_seed, "text", encoding="latin-1")
    first = cable.parts[-1]
    changed = dataclasses.replace(first, text=first.text + "\u2028")  # not in ISO-8859-1
    broken = dataclasses.replace(cable, parts=(*cable.parts[:-1], changed))
    with pytest.raises(cablekit.CablekitError) as e:
        cablekit.dumps(broken, "text")
    assert e.value.code == "CK-ENCODING" and "U+2028" in e.value.message


def test_encoding_name_is_recorded_in_one_spelling() -> None:
    assert text_format.encoding_name("latin-1") == text_format.encoding_name("ISO-8859-1")
    assert text_format.encoding_name("UTF8") == "utf-8"


def test_pdf_text_sample_reads_with_its_encoding(corpus: Path, figures: list[str]) -> None:
    files = sorted((corpus / "cablegatepdf-sample" / "converted-txt").glob("*.txt"))
    assert files
    misses = []
    for f in files:
        data = f.read_bytes()
        try:
            cable = cablekit.loads(data, "text", source=str(f), encoding="iso-8859-1")
        except cablekit.CablekitError as e:
            misses.append(f"{f.name}: {e}")
            continue
        for fmt in ("json", "tei"):
            back = cablekit.loads(cablekit.dumps(cable, fmt), fmt)
            if back != cable or cablekit.dumps(back, "text") != data:
                misses.append(f"{f.name}: {fmt} round trip")
        if cable.id != f.stem:
            misses.append(f"{f.name}: id {cable.id}")
    figures.append(
        f"PDF-text sample (ISO-8859-1, CRLF): {len(files) - len(misses)}/{len(files)} read, "
        "id found, and byte-exact through text, JSON and TEI"
    )
    assert not misses, misses


def test_command_converts_and_resumes_with_the_encoding(tmp_path: Path, latin1_seed: bytes) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "cable.txt").write_bytes(latin1_seed)
    out = tmp_path / "out"
    refused = run("convert", src, "-t", "json", "-o", out)
    assert refused.returncode == 1 and b"CK-ENCODING" in refused.stderr
    done = run("convert", src, "-t", "text", "-t", "json", "-o", out, "-e", "latin-1")
    assert done.returncode == 0, done.stderr.decode()
    assert (out / "cable.txt").read_bytes() == latin1_seed
    entries = [e for e in ledger(out / "cablekit.ledger.jsonl") if e["verdict"] == "converted"]
    assert {e["encoding"] for e in entries} == {"iso8859-1"}
    # Resuming with the same encoding skips the work; with another, it is done again.
    again = run("convert", src, "-t", "text", "-o", out, "-e", "latin-1", "--resume")
    assert b"1 already done" in again.stderr
    other = run("convert", src, "-t", "text", "-o", out, "-e", "cp1252", "--resume")
    assert other.returncode == 0 and b"already done" not in other.stderr
    valid = run("validate", out / "cable.txt", "-e", "latin-1")
    assert valid.returncode == 0, valid.stdout.decode()
    bad = run("validate", out / "cable.txt", "-e", "no-such-encoding")
    assert bad.returncode == 2 and b"unknown encoding" in bad.stderr


@pytest.mark.parametrize(
    "name", ["unicode_escape", "raw_unicode_escape", "idna", "undefined", "punycode"]
)
def test_codecs_that_do_not_carry_text_as_it_is_are_refused(name: str) -> None:
    """An escape codec would write a line end as a backslash and an n, and read it back so:
    every check would pass on a file that is not the cable's text."""
    with pytest.raises(ValueError, match="character encoding"):
        text_format.encoding_name(name)


def test_a_byte_order_the_encoding_would_not_write_back_is_refused(seed_bytes: bytes) -> None:
    text = seed_bytes.decode("utf-8")
    big_endian_with_mark = b"\xfe\xff" + text.encode("utf-16-be")
    for data, name in (
        (big_endian_with_mark, "utf-16"),  # Python writes utf-16 little-endian
        (text.encode("utf-16-le"), "utf-16"),  # and with a mark
        (seed_bytes, "utf-8-sig"),  # and utf-8-sig with one
    ):
        with pytest.raises(cablekit.CablekitError) as e:
            cablekit.loads(data, "text", encoding=name)
        assert e.value.code == "CK-ENCODING" and "utf-16-le" in e.value.message
    # Named exactly, the same bytes read and come back as they are (the mark as U+FEFF).
    for data, name in (
        (big_endian_with_mark, "utf-16-be"),
        (text.encode("utf-16-le"), "utf-16-le"),
        (b"\xef\xbb\xbf" + seed_bytes, "utf-8-sig"),
    ):
        cable = cablekit.loads(data, "text", encoding=name)
        assert cablekit.dumps(cable, "text") == data
        assert cable.id == "07BAKU595"


@pytest.mark.parametrize(
    ("name", "data", "where"),
    [
        ("utf-8-sig", b"\xef\xbb\xbfVZCZC\nab\xff\n", (2, 3)),
        ("utf-16-le", "VZCZC\nab".encode("utf-16-le") + b"\x00\xdc", (2, 3)),
        ("ascii", b"VZCZC\nab\xe9\n", (2, 3)),
    ],
)
def test_an_undecodable_byte_is_placed_in_characters(
    name: str, data: bytes, where: tuple[int, int]
) -> None:
    with pytest.raises(cablekit.CablekitError) as e:
        cablekit.loads(data, "text", source="x.txt", encoding=name)
    assert (e.value.code, e.value.line, e.value.col) == ("CK-ENCODING", *where)


def test_command_refuses_an_escape_codec_as_usage(tmp_path: Path, seed_bytes: bytes) -> None:
    (tmp_path / "c.txt").write_bytes(seed_bytes)
    for command in ("convert", "validate", "inspect"):
        args = [command, tmp_path / "c.txt", "-e", "unicode_escape"]
        if command == "convert":
            args += ["-t", "text", "-o", tmp_path / "out"]
        proc = run(*args)
        assert proc.returncode == 2 and b"character encoding" in proc.stderr, command
    assert not (tmp_path / "out").exists()


def test_bytes_another_encoder_wrote_are_placed_and_named(seed_bytes: bytes) -> None:
    """cp932 as Windows writes it: Python reads 0xFB 0xFC as U+9AD9 but writes it back as
    0xEE 0xE0; the file cannot come back byte for byte, and the error says where and why."""
    data = seed_bytes.replace(b"\xc2\xa0", b" ").replace(b"\nDERSE", b"\nDERSE \xfb\xfc")
    with pytest.raises(cablekit.CablekitError) as e:
        cablekit.loads(data, "text", source="x.txt", encoding="cp932")
    lines = data.split(b"\n")
    line = next(i for i, x in enumerate(lines, 1) if b"\xfb\xfc" in x)
    assert (e.value.code, e.value.line, e.value.col) == ("CK-ENCODING", line, len("DERSE ") + 1)
    assert "fb fc" in e.value.message and "ee e0" in e.value.message


def test_utf8_errors_are_placed_in_characters() -> None:
    with pytest.raises(cablekit.CablekitError) as e:
        cablekit.loads("VZCZC\n\u00e9\u00e9".encode() + b"\xff\n", "text", source="x.txt")
    assert (e.value.line, e.value.col) == (2, 3)


@pytest.mark.parametrize("fmt", ["json", "tei"])
def test_a_recorded_encoding_text_cannot_be_written_in_is_neither_read_nor_written(
    latin1_seed: bytes, fmt: str
) -> None:
    cable = cablekit.loads(latin1_seed, "text", encoding="latin-1")
    assert not cable.telegram.isascii()  # its pilcrow: ascii cannot hold it
    for bad in ("ascii", "unicode_escape", " latin 1 ", "no-such-encoding"):
        with pytest.raises(cablekit.CablekitError):
            cablekit.dumps(dataclasses.replace(cable, source_encoding=bad), fmt)
    # The same documents made by hand are refused on reading.
    good = cablekit.dumps(cable, fmt)
    assert good.count(b"iso8859-1") == 1
    for bad in ("ascii", "unicode_escape", " latin 1 ", "no-such-encoding"):
        with pytest.raises(cablekit.CablekitError) as e:
            cablekit.loads(good.replace(b"iso8859-1", bad.encode()), fmt)
        assert e.value.code in ("CK-JSON-ENCODING", "CK-JSON-SCHEMA-PATTERN", "TEI-MODEL"), bad


def test_command_reads_utf16_text_when_named(tmp_path: Path, seed_bytes: bytes) -> None:
    (tmp_path / "in").mkdir()
    data = b"\xff\xfe" + seed_bytes.decode("utf-8").encode("utf-16-le")
    (tmp_path / "in" / "c.txt").write_bytes(data)
    refused = run("convert", tmp_path / "in", "-t", "json", "-o", tmp_path / "a")
    assert refused.returncode == 1 and b"-e utf-16-le" in refused.stderr
    done = run(
        "convert",
        tmp_path / "in",
        "-t",
        "text",
        "-t",
        "json",
        "-o",
        tmp_path / "b",
        "-e",
        "utf-16-le",
    )
    assert done.returncode == 0, done.stderr.decode()
    assert (tmp_path / "b" / "c.txt").read_bytes() == data
    assert run("validate", tmp_path / "b" / "c.txt", "-e", "utf-16-le").returncode == 0


def test_naming_utf8_is_the_default_for_resume(tmp_path: Path, seed_bytes: bytes) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "c.txt").write_bytes(seed_bytes)
    out = tmp_path / "out"
    assert run("convert", tmp_path / "in", "-t", "json", "-o", out, "-e", "UTF8").returncode == 0
    again = run("convert", tmp_path / "in", "-t", "json", "-o", out, "--resume")
    assert b"1 already done" in again.stderr
