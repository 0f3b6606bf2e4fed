"""Batch machinery: finding inputs, planning outputs and collisions, atomic writes, the ledger,
resume bookkeeping, bulk-CSV records, ordered parallel execution, per-file verdicts."""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from pathlib import Path

import pytest

import cablekit
from cablekit.batch import (
    CONVERTED,
    FAILED,
    LEDGER_NAME,
    BatchError,
    CsvItem,
    FileTally,
    Job,
    Ledger,
    Options,
    Outcome,
    Run,
    Task,
    Versions,
    cable_from_csv_record,
    classify,
    discover,
    done_index,
    done_key,
    execute,
    output_name,
    process,
    read_file_list,
    read_ledger,
    safe_name,
    scan_csv,
    write_atomic,
)
from cablekit.errors import Diagnostic
from cablekit.formats import available
from cablekit.reports import INVALID, NOT_CHECKED, VALID


def _tree(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)


def _csv_field(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def csv_record(row: int, cid: str, telegram: str, date: str = "5/16/2007 13:24") -> str:
    """One bulk-CSV record as the release writes it (header and content columns)."""
    header, _, content = telegram.partition("\n")
    fields = [str(row), date, cid, "Embassy Baku", "CONFIDENTIAL", "", header, content]
    return ",".join(_csv_field(f) for f in fields) + "\n"


@pytest.fixture(scope="module")
def seed_telegram(seed_path: Path) -> str:
    return cablekit.read(seed_path).telegram


# --- discovery ----------------------------------------------------------------------------


def test_folders_are_walked_recursively_in_a_stable_order(tmp_path: Path) -> None:
    _tree(
        tmp_path / "in",
        {
            "b.txt": b"x",
            "a.html": b"x",
            "sub/c.json": b"x",
            "sub/deeper/d.xml": b"x",
            "README.md": b"x",  # not a cable file
            ".hidden.txt": b"x",
            ".git/e.txt": b"x",
            f"out/{LEDGER_NAME}": b"x",  # ledgers are JSON Lines, not cables
        },
    )
    d = discover([str(tmp_path / "in")])
    assert [s.rel for s in d.sources] == ["a.html", "b.txt", "sub/c.json", "sub/deeper/d.xml"]
    assert d.sources[0].path == str(tmp_path / "in" / "a.html")
    assert d.problems == ()


def test_the_output_folder_inside_an_input_folder_is_not_read(tmp_path: Path) -> None:
    _tree(tmp_path, {"a.txt": b"x", "out/a.json": b"x", "out/more/b.txt": b"x"})
    d = discover([str(tmp_path)], skip=[tmp_path / "out"])
    assert [s.rel for s in d.sources] == ["a.txt"]


def test_format_and_exclude_narrow_a_folder_walk(tmp_path: Path) -> None:
    _tree(tmp_path, {"a.txt": b"x", "b.html": b"x", "c.htm": b"x", "skip/d.html": b"x"})
    d = discover([str(tmp_path)], fmt="html", exclude=["skip/*"])
    assert [s.rel for s in d.sources] == ["b.html", "c.htm"]


def test_files_named_one_by_one_sit_relative_to_their_common_folder(tmp_path: Path) -> None:
    _tree(tmp_path, {"x/a/one.txt": b"x", "x/b/two.txt": b"x"})
    d = discover([str(tmp_path / "x/a/one.txt"), str(tmp_path / "x/b/two.txt")])
    assert [s.rel for s in d.sources] == ["a/one.txt", "b/two.txt"]
    alone = discover([str(tmp_path / "x/a/one.txt")])
    assert [s.rel for s in alone.sources] == ["one.txt"]


def test_patterns_place_files_under_their_base(tmp_path: Path) -> None:
    _tree(tmp_path, {"c/2007/a.xml": b"x", "c/2008/b.xml": b"x", "c/2008/c.txt": b"x"})
    d = discover([str(tmp_path / "c" / "**" / "*.xml")])
    assert [s.rel for s in d.sources] == ["2007/a.xml", "2008/b.xml"]


def test_arguments_that_name_nothing_are_problems_not_silence(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.md").write_bytes(b"x")
    d = discover(
        [str(tmp_path / "missing.txt"), str(tmp_path / "empty"), str(tmp_path / "*.nothing")]
    )
    assert all(s.problem is not None for s in d.sources)
    assert [(p.code, p.path) for p in d.problems] == [
        ("CK-IO", str(tmp_path / "missing.txt")),
        ("CK-NO-INPUT", str(tmp_path / "empty")),
        ("CK-NO-INPUT", str(tmp_path / "*.nothing")),
    ]


def test_the_same_file_twice_is_one_input(tmp_path: Path) -> None:
    _tree(tmp_path, {"a.txt": b"x"})
    d = discover([str(tmp_path / "a.txt"), str(tmp_path / "." / "a.txt")])
    assert len(d.sources) == 1


def test_bulk_csv_files_are_told_by_name_or_format(tmp_path: Path) -> None:
    _tree(tmp_path, {"a.csv": b"x", "b.txt": b"x"})
    d = discover([str(tmp_path / "a.csv"), str(tmp_path / "b.txt")])
    assert [s.csv for s in d.sources] == [True, False]
    assert [s.csv for s in discover([str(tmp_path / "b.txt")], fmt="csv").sources] == [True]


def test_file_lists_by_line_or_nul(tmp_path: Path) -> None:
    (tmp_path / "l1").write_bytes(b"a.txt\nb c.txt\n\n")
    (tmp_path / "l0").write_bytes(b"a.txt\0b\nc.txt\0")
    assert read_file_list(str(tmp_path / "l1"), False) == ["a.txt", "b c.txt"]
    assert read_file_list(str(tmp_path / "l0"), True) == ["a.txt", "b\nc.txt"]
    with pytest.raises(BatchError, match="cannot read the list of files"):
        read_file_list(str(tmp_path / "nope"), False)


def test_listed_paths_are_never_globbed(tmp_path: Path) -> None:
    _tree(tmp_path, {"a.txt": b"x", "[a].txt": b"x"})
    d = discover([], listed=[str(tmp_path / "[a].txt")])
    assert [Path(s.path).name for s in d.sources] == ["[a].txt"]


# --- planning -----------------------------------------------------------------------------


def test_output_names() -> None:
    assert output_name("sub/07BAKU595.html", "json") == "sub/07BAKU595.json"
    assert output_name("a.b.txt", "tei") == "a.b.xml"
    assert output_name("noext", "text") == "noext.txt"
    assert safe_name("08ECTION01OF02MANAMA492", 1) == "08ECTION01OF02MANAMA492"
    assert safe_name("../x/y z", 7) == "_x_y_z"
    assert safe_name("", 7) == "record-7"


def test_collisions_are_found_before_anything_is_written(tmp_path: Path) -> None:
    _tree(tmp_path, {"in/x.txt": b"x", "in/x.html": b"x", "in/y.txt": b"x"})
    out = tmp_path / "out"
    d = discover([str(tmp_path / "in")])
    with pytest.raises(BatchError) as e:
        Run(d, Options("convert", to_fmt="text", outdir=out))
    message = str(e.value)
    assert "nothing was written" in message
    assert f"{out}/x.txt <- {tmp_path}/in/x.html, {tmp_path}/in/x.txt" in message
    assert "y.txt" not in message
    assert not out.exists()


def test_an_output_never_replaces_an_input(tmp_path: Path) -> None:
    _tree(tmp_path, {"a.txt": b"x"})
    d = discover([str(tmp_path / "a.txt")])
    with pytest.raises(BatchError, match="would overwrite the input"):
        Run(d, Options("convert", to_fmt="text", outdir=tmp_path))


def test_many_outputs_cannot_go_to_standard_output(tmp_path: Path) -> None:
    _tree(tmp_path, {"a.txt": b"x", "b.txt": b"x"})
    d = discover([str(tmp_path)])
    with pytest.raises(BatchError, match="many inputs give many outputs"):
        Run(d, Options("convert", to_fmt="text", outdir=None))


def test_unknown_and_unwritable_formats_are_refused(tmp_path: Path) -> None:
    _tree(tmp_path, {"a.txt": b"x"})
    d = discover([str(tmp_path)])
    with pytest.raises(BatchError, match="cannot write format 'html'"):
        Run(d, Options("convert", to_fmt="html", outdir=tmp_path / "o"))
    with pytest.raises(BatchError, match="unknown format 'pdf'"):
        Run(d, Options("convert", to_fmt="text", from_fmt="pdf", outdir=tmp_path / "o"))


def test_bulk_csv_records_with_the_same_id_collide(tmp_path: Path, seed_telegram: str) -> None:
    first = csv_record(1, "07BAKU595", seed_telegram)
    (tmp_path / "c.csv").write_text(first + csv_record(2, "07BAKU595", seed_telegram))
    d = discover([str(tmp_path / "c.csv")])
    with pytest.raises(BatchError) as e:
        Run(d, Options("convert", to_fmt="text", outdir=tmp_path / "o"))
    second_line = first.count("\n") + 1
    assert f"{tmp_path}/o/07BAKU595.txt <- {tmp_path}/c.csv:1, {tmp_path}/c.csv:{second_line}" in (
        str(e.value)
    )
    assert not (tmp_path / "o").exists()


def test_bulk_csv_records_to_several_formats_and_their_collisions(
    tmp_path: Path, seed_telegram: str
) -> None:
    if not {"json", "tei"} <= set(available()):
        pytest.skip("the json and tei converters are not both in this tree yet")
    (tmp_path / "c.csv").write_text(
        csv_record(1, "07BAKU595", seed_telegram) + csv_record(2, "07BAKU596", seed_telegram)
    )
    (tmp_path / "07BAKU596.txt").write_text(seed_telegram)  # would write the same outputs
    out = tmp_path / "o"
    opts = Options("convert", to_fmt="json", also_to=("tei",), outdir=out)
    d = discover([str(tmp_path / "c.csv"), str(tmp_path / "07BAKU596.txt")])
    with pytest.raises(BatchError) as e:
        Run(d, opts)
    for suffix in (".json", ".xml"):
        assert f"o/07BAKU596{suffix} <- {tmp_path}/c.csv:" in str(e.value)
    assert not out.exists()
    outcomes = list(Run(discover([str(tmp_path / "c.csv")]), opts))
    assert [(o.record, o.to, o.verdict) for o in outcomes] == [
        ((1, "07BAKU595"), "json", CONVERTED),
        ((1, "07BAKU595"), "tei", CONVERTED),
        (outcomes[2].record, "json", CONVERTED),
        (outcomes[2].record, "tei", CONVERTED),
    ]
    assert sorted(p.name for p in out.iterdir()) == [
        "07BAKU595.json",
        "07BAKU595.xml",
        "07BAKU596.json",
        "07BAKU596.xml",
        LEDGER_NAME,
    ]
    assert cablekit.read(out / "07BAKU596.xml").telegram == seed_telegram


def test_an_input_failed_as_a_whole_is_counted_once_per_file() -> None:
    bad = Diagnostic("CK-BINARY", "error", "binary data", "b.txt")
    warn = Diagnostic("C101", "warning", "x", "c.csv", 3)
    tally = FileTally("b.txt")
    tally.add_input([Outcome("b.txt", FAILED, (bad,), to=t) for t in ("json", "tei")])
    assert tally.result().diagnostics == (bad,)
    bulk = FileTally("c.csv")
    both = ("json", "tei")
    bulk.add_input(
        [Outcome("c.csv", CONVERTED, (warn,), "s", "csv", record=(3, "A"), to=t) for t in both]
    )
    bulk.add_input(
        [Outcome("c.csv", CONVERTED, (), "s", "csv", record=(9, "B"), to=t) for t in both]
    )
    r = bulk.result()
    assert (r.cables, r.diagnostics, r.verdict) == (2, (warn,), VALID)


# --- writing and the ledger ---------------------------------------------------------------


def test_atomic_write_leaves_the_whole_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    target.write_bytes(b"old")
    write_atomic(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert os.listdir(tmp_path) == ["a.json"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "missing" / "b.json", b"x")


def test_ledger_cuts_a_torn_last_line_before_appending(tmp_path: Path) -> None:
    path = tmp_path / LEDGER_NAME
    path.write_text('{"ledger":1,"input":"a"}\n{"ledger":1,"inp')
    ledger = Ledger(path)
    ledger.append({"ledger": 1, "input": "b"})
    ledger.close()
    assert [e["input"] for e in read_ledger(path)] == ["a", "b"]


def test_ledger_of_another_format_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / LEDGER_NAME
    path.write_text('{"ledger":1,"input":"a"}\n{"ledger":2,"input":"b"}\n')
    with pytest.raises(BatchError, match=r":2: ledger format 2; this cablekit reads format 1"):
        list(read_ledger(path))
    path.write_text('{"ledger":1,"input":"a"}\nnot json\n{"ledger":1,"input":"b"}\n')
    with pytest.raises(BatchError, match=r":2: ledger line is not JSON"):
        list(read_ledger(path))


def _entry(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {
        "ledger": 1,
        "event": "migration",
        "tool": "cablekit 1",
        "schemas": "sha256:s",
        "input": "a.txt",
        "input_sha256": "aa" * 32,
        "from": "text",
        "to": "json",
        "output": "o/a.json",
        "output_sha256": "bb" * 32,
        "verdict": "converted",
    }
    base.update(kw)
    return base


def test_resume_index_takes_the_latest_line_and_the_same_versions_only(tmp_path: Path) -> None:
    path = tmp_path / LEDGER_NAME
    lines = [
        _entry(),
        _entry(input="b.txt", output="o/b.json"),
        _entry(input="b.txt", verdict="failed", output=None, output_sha256=None),
        _entry(input="c.txt", output="o/c.json", tool="cablekit 0"),
        _entry(input="d.txt", output="o/d.json", to="tei"),
        _entry(input="e.csv", record={"line": 3, "id": "X1"}, output="o/./X1.json"),
        _entry(input="f.txt", output="o/f.json", output_sha256="not hex"),
    ]
    path.write_text("".join(json.dumps(e) + "\n" for e in lines))
    index = done_index(path, Versions("cablekit 1", "sha256:s"), "json")
    assert set(index) == {done_key("a.txt", None, "json"), done_key("e.csv", "X1", "json")}
    a = index[done_key("a.txt", None, "json")]
    assert (a.input_sha256, a.output_sha256, a.fmt) == (b"\xaa" * 32, b"\xbb" * 32, "text")
    assert a.output == hash("o/a.json")
    assert index[done_key("e.csv", "X1", "json")].output == hash("o/X1.json")  # normalized


def test_resume_index_keeps_each_output_format_apart(tmp_path: Path) -> None:
    path = tmp_path / LEDGER_NAME
    lines = [
        _entry(),
        _entry(to="tei", output="o/a.xml"),
        _entry(input="b.txt", output="o/b.json"),
        _entry(input="b.txt", to="tei", verdict="failed", output=None, output_sha256=None),
        _entry(input="c.txt", to="tei", output="o/c.xml"),
        _entry(input="c.txt", to="tei", output="o/c.xml", tool="cablekit 0"),
    ]
    path.write_text("".join(json.dumps(e) + "\n" for e in lines))
    versions = Versions("cablekit 1", "sha256:s")
    # A later line about another format leaves a format's record alone.
    assert set(done_index(path, versions, "json")) == {
        done_key("a.txt", None, "json"),
        done_key("b.txt", None, "json"),
    }
    both = done_index(path, versions, ("json", "tei"))
    assert set(both) == {
        done_key("a.txt", None, "json"),
        done_key("a.txt", None, "tei"),
        done_key("b.txt", None, "json"),
    }
    assert both[done_key("a.txt", None, "tei")].output == hash("o/a.xml")


# --- verdicts -----------------------------------------------------------------------------


def test_classify_never_calls_an_unchecked_file_valid() -> None:
    warn = Diagnostic("C101", "warning", "x")
    err = Diagnostic("C101", "error", "x")
    io = Diagnostic("CK-IO", "error", "x")
    assert classify([]) == VALID
    assert classify([warn]) == VALID
    assert classify([warn, err]) == INVALID
    assert classify([err, io]) == NOT_CHECKED


def test_a_bulk_csv_with_bad_records_is_invalid_and_unreadable_one_not_checked() -> None:
    bad = Diagnostic("CK-INPUT", "error", "malformed record", "c.csv", 5)
    tally = FileTally("c.csv")
    tally.add(Outcome("c.csv", CONVERTED, (), "s", "csv", record=(1, "A")))
    tally.add(Outcome("c.csv", FAILED, (bad,), "s", "csv"))
    tally.add(Outcome("c.csv", CONVERTED, (), "s", "csv", record=(9, "B")))
    r = tally.result()
    assert (r.verdict, r.cables, r.sha256, r.format) == (INVALID, 2, "s", "csv")
    gone = FileTally("d.csv")
    gone.add(Outcome("d.csv", FAILED, (Diagnostic("CK-IO", "error", "x", "d.csv"),), fmt="csv"))
    assert gone.result().verdict == NOT_CHECKED


# --- bulk CSV -----------------------------------------------------------------------------


def test_scan_finds_each_record_where_the_reader_does(tmp_path: Path, seed_telegram: str) -> None:
    from cablekit.converters.csv import iter_records

    text = (
        csv_record(1, "07BAKU595", seed_telegram)
        + csv_record(2, "07BAKU596", 'a "quoted" \\ line\nUNCLASSIFIED\n')
        + '"3","1/1/2000 00:00","BROKEN",\n'
        + csv_record(4, "07BAKU597", seed_telegram)
    )
    path = tmp_path / "c.csv"
    path.write_text(text)
    with open(path, "rb") as f:
        items = list(iter_records(f, str(path)))
    read = [(r.line, r.page.identifier) for r in items if hasattr(r, "page")]
    errors = [r.line for r in items if not hasattr(r, "page")]
    with open(path, "rb") as f:
        scan = scan_csv(f)
    assert len(read) == 3
    # The first pass names every record whose first line is whole, a malformed one too
    # (its name is then only reserved); everything else it finds where the reader does.
    broken = text[: text.index('"3","1/1/2000')].count("\n") + 1
    assert errors == [broken]
    assert list(scan.ids) == sorted([*read, (broken, "BROKEN")])
    import hashlib

    assert scan.sha256 == hashlib.sha256(text.encode()).hexdigest()


def test_a_csv_record_becomes_a_cable_with_its_page(seed_telegram: str) -> None:
    from cablekit.model import PageMetadata

    page = PageMetadata(identifier="07BAKU595", origin="Embassy Baku", references=("07BAKU1",))
    item = CsvItem(1, "07BAKU595", page, seed_telegram)
    cable = cable_from_csv_record(item, "c.csv:1")
    assert cable.telegram == seed_telegram
    assert cable.page == page
    assert cable.id == "07BAKU595"


# --- execution ----------------------------------------------------------------------------


def _job(action: str = "convert", to: str | None = "text") -> Job:
    return Job(action, tuple(available()), None, to if action == "convert" else None)


def test_parallel_execution_keeps_the_input_order(tmp_path: Path, seed_bytes: bytes) -> None:
    tasks = []
    for i in range(40):
        p = tmp_path / f"c{i:02d}.txt"
        # Every third input is not a cable, so outcomes differ and order shows.
        p.write_bytes(seed_bytes if i % 3 else b"\x00\x01binary")
        tasks.append(Task(str(p), str(tmp_path / f"c{i:02d}.out")))
    outcomes = list(execute(_job(), tasks, jobs=2, chunk_size=3))
    assert [o.path for o in outcomes] == [t.path for t in tasks]
    assert [o.verdict for o in outcomes] == [FAILED if i % 3 == 0 else CONVERTED for i in range(40)]
    for i, o in enumerate(outcomes):
        if o.verdict == CONVERTED:
            assert Path(tmp_path / f"c{i:02d}.out").read_bytes() == seed_bytes


def test_a_stream_of_tasks_is_consumed_as_results_come(seed_bytes: bytes, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(seed_bytes)
    pulled = 0

    def tasks():  # type: ignore[no-untyped-def]
        nonlocal pulled
        for _ in range(10_000):
            pulled += 1
            yield Task(str(tmp_path / "a.txt"), data=seed_bytes)

    outcomes = execute(_job("validate"), tasks(), jobs=2, chunk_size=4)
    first = next(outcomes)
    assert first.verdict == VALID or first.diagnostics  # a real outcome
    # Only a bounded window of chunks was taken from the stream, not all of it.
    assert pulled <= 2 * 4 * 4 + 4
    outcomes.close()


def test_no_input_raises_out_of_a_worker(tmp_path: Path) -> None:
    job = _job()
    missing = process(job, Task(str(tmp_path / "nope.txt"), str(tmp_path / "o.txt")))
    assert (missing.verdict, missing.diagnostics[0].code) == (FAILED, "CK-IO")
    folder = process(job, Task(str(tmp_path), str(tmp_path / "o.txt")))
    assert folder.diagnostics[0].message == "is a folder, not a cable file"
    binary = process(job, Task("-", None, data=b"\x00\x01\x02" * 100))
    assert binary.diagnostics[0].code == "CK-BINARY" and binary.input_sha256
    utf16 = process(job, Task("-", None, data="UNCLAS\n".encode("utf-16")))
    assert utf16.diagnostics[0].code == "CK-FORMAT" and "UTF-16" in utf16.diagnostics[0].message
    csv_like = process(job, Task("-", None, data=b'"1","5/16/2007 13:24","X","o","c","","h","b"\n'))
    assert csv_like.diagnostics[0].code == "CK-FORMAT"
    assert "-f csv" in csv_like.diagnostics[0].message


def test_a_failed_write_is_not_blamed_on_the_input(tmp_path: Path, seed_bytes: bytes) -> None:
    o = process(_job(), Task("-", str(tmp_path / "no" / "such" / "o.txt"), data=seed_bytes))
    assert o.verdict == FAILED and o.internal
    assert o.diagnostics[0].code == "CK-WRITE"
    assert "cannot write" in o.diagnostics[0].message


def test_ledger_verified_inputs_are_skipped_and_changed_ones_redone(
    tmp_path: Path, seed_bytes: bytes
) -> None:
    import hashlib

    src = tmp_path / "a.txt"
    src.write_bytes(seed_bytes)
    out = tmp_path / "a.out"
    out.write_bytes(seed_bytes)
    sha = hashlib.sha256(seed_bytes).hexdigest()
    job = _job()
    same = process(job, Task(str(src), str(out), done=(sha, sha, "text")))
    assert same.skipped and same.verdict == CONVERTED and same.fmt == "text"
    out.write_bytes(b"tampered")
    redone = process(job, Task(str(src), str(out), done=(sha, sha, "text")))
    assert not redone.skipped and out.read_bytes() == seed_bytes


def test_verify_reads_the_output_back(seed_bytes: bytes) -> None:
    from cablekit.batch import _verify

    cable = cablekit.loads(seed_bytes, "text")
    assert _verify(seed_bytes, "text", cable, "o.txt") is None
    changed = seed_bytes.replace(b"DERSE", b"DERZE")
    lines = seed_bytes[: seed_bytes.index(b"DERSE")].count(b"\n") + 1
    layout = cable.page.layout if cable.page and cable.page.layout else ""
    telegram_line = lines - layout.count("\n")
    assert _verify(changed, "text", cable, "o.txt") == (
        f"reads back to a different telegram (from line {telegram_line})"
    )
    problem = _verify(b"\x00binary", "text", cable, "o.txt")
    assert problem is not None and problem.startswith("does not read back (line 1): CK-BINARY")


def test_scan_of_json_lines_names_cables_by_their_page_id(tmp_path: Path) -> None:
    from cablekit.batch import scan_jsonl

    text = (
        b'{"id": "08SAOPAULO335", "page": {"identifier": "08SCTION02OF02SAOPAULO335"}}\n'
        b"\n"
        b'{"id": "07BAKU595", "page": null}\n'
        b"not json\n"
    )
    path = tmp_path / "c.jsonl"
    path.write_bytes(text)
    with open(path, "rb") as f:
        scan = scan_jsonl(f)
    assert scan.ids == ((1, "08SCTION02OF02SAOPAULO335"), (3, "07BAKU595"), (4, ""))


# --- a chunk's outputs: written together, each still atomic -------------------------------


def _seed_tasks(tmp_path: Path, seed_bytes: bytes, n: int) -> list[Task]:
    (tmp_path / "out").mkdir(exist_ok=True)
    tasks = []
    for i in range(n):
        src = tmp_path / f"c{i}.txt"
        src.write_bytes(seed_bytes)
        tasks.append(Task(str(src), str(tmp_path / "out" / f"c{i}.txt")))
    return tasks


def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".cablekit-tmp"))


@pytest.mark.parametrize("max_open", [256, 5])  # 5: a chunk larger than the files kept open
def test_a_chunk_writes_every_output_whole_and_no_temporary(
    tmp_path: Path, seed_bytes: bytes, max_open: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cablekit.batch as batch

    monkeypatch.setattr(batch, "MAX_OPEN_OUTPUTS", max_open)
    tasks = _seed_tasks(tmp_path, seed_bytes, 12)
    outcomes = batch.run_chunk(_job(), tasks)
    assert [o.verdict for o in outcomes] == [CONVERTED] * 12
    import hashlib

    for t, o in zip(tasks, outcomes, strict=True):
        data = Path(str(t.target)).read_bytes()
        assert data == seed_bytes and o.output == t.target
        assert o.output_sha256 == hashlib.sha256(data).hexdigest()
    assert _temporaries(tmp_path / "out") == []


@pytest.mark.parametrize("platform", ["linux", "other"])
def test_a_chunk_output_that_cannot_be_made_durable_is_not_renamed(
    tmp_path: Path, seed_bytes: bytes, monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    """Both ways of syncing a chunk (writeback started ahead on Linux, threads elsewhere)
    sync every file and report each failure on its own file."""
    import cablekit.batch as batch

    if platform == "other":
        monkeypatch.setattr(batch.sys, "platform", "other")

    tasks = _seed_tasks(tmp_path, seed_bytes, 6)
    tasks[4] = Task(tasks[4].path, str(tmp_path / "no" / "such" / "c4.txt"))
    real = batch._fsync_fd
    synced: list[int] = []

    def fsync_fails_for_the_third(fd: int) -> OSError | None:
        synced.append(fd)
        if os.readlink(f"/proc/self/fd/{fd}").split("/")[-1].startswith(".c2.txt."):
            return OSError(5, "Input/output error")
        return real(fd)

    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc to tell which file an fd is")
    monkeypatch.setattr(batch, "_fsync_fd", fsync_fails_for_the_third)
    outcomes = batch.run_chunk(_job(), tasks)
    verdicts = [(o.verdict, o.diagnostics[0].code if o.diagnostics else None) for o in outcomes]
    assert verdicts == [
        (CONVERTED, None),
        (CONVERTED, None),
        (FAILED, "CK-WRITE"),  # not durable: never renamed into place
        (CONVERTED, None),
        (FAILED, "CK-WRITE"),  # its folder does not exist
        (CONVERTED, None),
    ]
    assert outcomes[2].internal and "Input/output error" in outcomes[2].diagnostics[0].message
    assert len(synced) == 5  # every file that could be created was synced
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["c0.txt", "c1.txt", "c3.txt", "c5.txt"]


def test_an_interrupted_chunk_leaves_no_temporary_and_no_output(
    tmp_path: Path, seed_bytes: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cablekit.batch as batch

    tasks = _seed_tasks(tmp_path, seed_bytes, 5)
    real = batch._process

    def interrupted_at_the_fourth(job: Job, task: Task, defer: list[tuple[str, bytes]]) -> Outcome:
        if task is tasks[3]:
            raise KeyboardInterrupt
        return real(job, task, defer)

    monkeypatch.setattr(batch, "_process", interrupted_at_the_fourth)
    with pytest.raises(KeyboardInterrupt):
        batch.run_chunk(_job(), tasks)
    # Three cables were converted, but their chunk did not finish: nothing is in place,
    # and nothing of them is left behind.
    assert list((tmp_path / "out").iterdir()) == []


def test_each_outcome_of_a_run_comes_after_its_output_is_in_place(
    tmp_path: Path, seed_bytes: bytes
) -> None:
    import hashlib

    _tree(tmp_path / "in", {f"c{i:02d}.txt": seed_bytes for i in range(20)})
    run = Run(
        discover([str(tmp_path / "in")]),
        Options("convert", to_fmt="text", outdir=tmp_path / "out", jobs=2, chunk_size=4),
    )
    seen = 0
    for o in run:
        assert o.verdict == CONVERTED and o.output is not None
        assert hashlib.sha256(Path(o.output).read_bytes()).hexdigest() == o.output_sha256
        seen += 1
    assert seen == 20
    assert len(read_ledger_lines(tmp_path / "out" / LEDGER_NAME)) == 20
    assert _temporaries(tmp_path / "out") == []


def read_ledger_lines(path: Path) -> list[dict[str, object]]:
    return list(read_ledger(path))


def test_on_linux_every_file_of_a_chunk_starts_writeback_before_the_first_fsync(
    tmp_path: Path, seed_bytes: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So that one journal commit carries the whole chunk; each file is still fsynced."""
    import cablekit.batch as batch

    if not sys.platform.startswith("linux") or not hasattr(os, "posix_fadvise"):
        pytest.skip("Linux only")
    calls: list[tuple[str, int]] = []
    real_advise, real_fsync = os.posix_fadvise, batch._fsync_fd

    def advise(fd: int, offset: int, length: int, advice: int) -> None:
        calls.append(("advise", fd))
        real_advise(fd, offset, length, advice)

    def fsync(fd: int) -> OSError | None:
        calls.append(("fsync", fd))
        return real_fsync(fd)

    monkeypatch.setattr(batch.os, "posix_fadvise", advise)
    monkeypatch.setattr(batch, "_fsync_fd", fsync)
    outcomes = batch.run_chunk(_job(), _seed_tasks(tmp_path, seed_bytes, 4))
    assert [o.verdict for o in outcomes] == [CONVERTED] * 4
    kinds = [k for k, _ in calls]
    assert kinds == ["advise"] * 4 + ["fsync"] * 4
    assert [fd for k, fd in calls if k == "advise"] == [fd for k, fd in calls if k == "fsync"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"c{i}.txt" for i in range(4)]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_ctrl_c_while_an_outcome_goes_to_the_ledger_loses_no_outcome(
    tmp_path: Path, seed_bytes: bytes, jobs: int
) -> None:
    """Ctrl-C lands while an outcome whose file is in place is being recorded: the record
    is finished first, the interrupt comes right after it, and every other outcome whose
    file exists comes back in `leftover`; none is recorded twice."""
    import signal

    tasks = _seed_tasks(tmp_path, seed_bytes, 12)
    leftover: list[Outcome] = []
    recorded: list[Outcome] = []

    def record(o: Outcome) -> Outcome:
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C, between the file and its line
        recorded.append(o)  # what a ledger line stands for
        return o

    outcomes = execute(_job(), tasks, jobs=jobs, chunk_size=4, leftover=leftover, record=record)
    with pytest.raises(KeyboardInterrupt):
        try:
            for _ in outcomes:
                pass
        finally:
            outcomes.close()
    assert len(recorded) == 1, "the interrupt came right after the first record"
    accounted = [o.output for o in recorded + leftover]
    written = {str(p) for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")}
    assert written <= set(accounted), sorted(written - set(accounted))
    assert len(accounted) == len(set(accounted))  # no outcome twice
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back


def test_ctrl_c_is_not_held_while_the_caller_runs(tmp_path: Path, seed_bytes: bytes) -> None:
    """Between outcomes the caller's own code runs with Ctrl-C as usual, and a run left
    unfinished changes nothing for the rest of the process."""
    import signal

    outcomes = execute(_job(), _seed_tasks(tmp_path, seed_bytes, 3), jobs=1, chunk_size=4)
    next(outcomes)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(1)  # interrupted
    outcomes.close()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_ctrl_c_during_the_last_chunk_still_stops_the_run(
    tmp_path: Path, seed_bytes: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Held until every outcome is recorded, then raised: the run does not end as if
    nothing had happened."""
    import signal

    import cablekit.batch as batch

    real = batch.run_chunk

    def interrupted_chunk(job: Job, tasks: list[Task]) -> list[Outcome]:
        os.kill(os.getpid(), signal.SIGINT)
        return real(job, tasks)

    monkeypatch.setattr(batch, "run_chunk", interrupted_chunk)
    recorded: list[Outcome] = []
    leftover: list[Outcome] = []
    tasks = _seed_tasks(tmp_path, seed_bytes, 3)

    def record(o: Outcome) -> Outcome:
        recorded.append(o)
        return o

    run = execute(_job(), tasks, jobs=1, chunk_size=4, leftover=leftover, record=record)
    with pytest.raises(KeyboardInterrupt):
        for _ in run:
            pass
    assert len(recorded) == 1 and len(leftover) == 2  # recorded, then stopped; the rest kept
