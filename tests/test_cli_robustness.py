"""The command under stress from outside its inputs: Ctrl-C, odd file names, a broken
output place, a run stopped early."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _cablekit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cablekit.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _ledger(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _interrupt(args: list[str], cwd: Path, after: float) -> tuple[int, str]:
    """Run the command in its own process group and send SIGINT to the whole group, as a
    terminal's Ctrl-C does; its exit code and standard error."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "cablekit.cli", *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    time.sleep(after)
    with contextlib.suppress(ProcessLookupError):  # already finished
        os.killpg(proc.pid, signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"{' '.join(args)} did not stop within 30 s of Ctrl-C")
    return proc.returncode, err.decode(errors="replace")


@pytest.mark.parametrize("after", [0.6, 1.0, 1.4])
def test_ctrl_c_during_a_parallel_run_stops_it_and_the_ledger_names_every_output(
    corpus: Path, tmp_path: Path, after: float
) -> None:
    args = [str(corpus / "cablegate-html"), "-t", "tei", "-o", "k", "-j", "2", "-q"]
    rc, err = _interrupt(["convert", *args], tmp_path, after)
    if rc == 0:
        pytest.skip("the run finished before the interrupt (a fast machine)")
    assert rc == 130, err
    assert "interrupted" in err
    out = tmp_path / "k"
    entries = _ledger(out / "cablekit.ledger.jsonl")
    recorded = {Path(str(e["output"])).name: e["output_sha256"] for e in entries if e["output"]}
    written = {p.name for p in out.iterdir() if p.suffix == ".xml"}
    unrecorded = sorted(written - set(recorded))
    assert not unrecorded, f"{len(unrecorded)} outputs not in the ledger: {unrecorded[:10]}"
    wrong = [
        n for n in written if recorded[n] != hashlib.sha256((out / n).read_bytes()).hexdigest()
    ]
    assert not wrong, f"ledger sha256 differs from the file: {wrong[:10]}"
    missing = sorted(set(recorded) - written)
    assert not missing, f"ledger names outputs that are not there: {missing[:10]}"


BAD_NAME = b"a\xe9.txt"  # Latin-1: not UTF-8


@pytest.fixture
def odd_names(tmp_path: Path, seed_bytes: bytes) -> Path:
    """A folder with a good cable named in Latin-1, a bad one with a newline in its name,
    and a good one named plainly."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_bytes(seed_bytes)
    with open(os.path.join(os.fsencode(folder), BAD_NAME), "wb") as f:
        f.write(seed_bytes)
    (folder / "bad\nname.txt").write_bytes(b"not a cable at all\n")
    return tmp_path


def test_a_file_name_that_is_not_utf8_converts_and_is_in_the_ledger(odd_names: Path) -> None:
    done = _cablekit("convert", "in", "-t", "json", "-o", "out", cwd=odd_names)
    assert done.returncode == 1, done.stderr  # the cable that is not one
    assert "internal error" not in done.stderr
    out = odd_names / "out"
    assert (out / "good.json").is_file()
    odd = os.path.join(os.fsencode(out), b"a\xe9.json")
    assert os.path.isfile(odd), sorted(os.listdir(os.fsencode(out)))
    entries = _ledger(out / "cablekit.ledger.jsonl")
    inputs = {os.fsencode(str(e["input"])): e for e in entries}
    entry = inputs[b"in/" + BAD_NAME]
    assert entry["verdict"] == "converted"
    assert os.fsencode(str(entry["output"])) == b"out/a\xe9.json"
    with open(odd, "rb") as f:
        assert entry["output_sha256"] == hashlib.sha256(f.read()).hexdigest()
    again = _cablekit("convert", "in", "-t", "json", "-o", "out", "--resume", cwd=odd_names)
    assert "2 already done" in again.stderr, again.stderr


@pytest.mark.parametrize("fmt", ["text", "json", "github", "junit", "sarif"])
def test_reports_carry_odd_file_names(odd_names: Path, fmt: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cablekit.cli", "validate", "in", "--format", fmt],
        cwd=odd_names,
        capture_output=True,
        check=False,
        env={**os.environ, "PYTHONIOENCODING": "utf-8:strict"},
        timeout=120,
    )
    err = done.stderr.decode(errors="replace")
    assert done.returncode == 1, err
    assert "internal error" not in err
    text = done.stdout.decode("utf-8")  # whatever the names, the report is UTF-8
    if fmt == "json":
        paths = {os.fsencode(f["path"]) for f in json.loads(text)["files"]}
        assert paths == {b"in/good.txt", b"in/" + BAD_NAME, b"in/bad\nname.txt"}
    elif fmt == "sarif":
        uris = {
            loc["physicalLocation"]["artifactLocation"]["uri"]
            for result in json.loads(text)["runs"][0]["results"]
            for loc in result["locations"]
        }
        assert "in/bad%0Aname.txt" in uris and "in/a%E9.txt" in uris, uris
    else:
        assert "in/bad\\nname.txt" in text
        if fmt != "junit":  # junit lists only files with problems, valid ones quietly
            assert "in/a\\xe9.txt" in text
    if fmt in ("text", "github"):
        # one line per problem: the newline in the name does not split one
        starts = [line for line in text.splitlines() if line.startswith(("in/", "::"))]
        assert len(starts) == len(text.splitlines()), text


@pytest.mark.parametrize(
    ("args", "named", "why"),
    [
        (["-o", "afile/sub"], "afile/sub: cannot create the output folder", "Not a directory"),
        (["-o", "out", "--ledger", "adir"], "adir: cannot open the ledger", "Is a directory"),
    ],
)
def test_a_broken_output_place_is_named_not_an_internal_error(
    tmp_path: Path, seed_bytes: bytes, args: list[str], named: str, why: str
) -> None:
    (tmp_path / "in.txt").write_bytes(seed_bytes)
    (tmp_path / "afile").write_bytes(b"")
    (tmp_path / "adir").mkdir()
    done = _cablekit("convert", "in.txt", "-t", "json", *args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert named in done.stderr and why in done.stderr, done.stderr
    assert "internal error" not in done.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full to fill")
def test_a_full_disk_under_the_ledger_is_named(tmp_path: Path, seed_bytes: bytes) -> None:
    (tmp_path / "in.txt").write_bytes(seed_bytes)
    done = _cablekit(
        "convert", "in.txt", "-t", "json", "-o", "out", "--ledger", "/dev/full", cwd=tmp_path
    )
    assert done.returncode == 2, done.stderr
    assert "/dev/full: cannot write the ledger: No space left on device" in done.stderr
    assert "internal error" not in done.stderr


def test_fail_fast_leaves_an_existing_jsonl_output_whole(tmp_path: Path, seed_bytes: bytes) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes(seed_bytes)
    (folder / "c.txt").write_bytes(seed_bytes)
    args = ("convert", "in", "-t", "jsonl", "-o", "all.jsonl", "-q")
    first = _cablekit(*args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    before = (tmp_path / "all.jsonl").read_bytes()
    assert before.count(b"\n") == 2
    ledger_before = (tmp_path / "cablekit.ledger.jsonl").read_bytes()
    (folder / "b.txt").write_bytes(b"not a cable\n")  # fails between a and c
    second = _cablekit(*args, "--fail-fast", cwd=tmp_path)
    assert second.returncode == 1, second.stderr
    assert "stopped at the first failure" in second.stderr
    assert (tmp_path / "all.jsonl").read_bytes() == before
    added = _ledger(tmp_path / "cablekit.ledger.jsonl")[ledger_before.count(b"\n") :]
    assert not [e for e in added if e["output"]], added  # nothing claims the unwritten file
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".cablekit-tmp")]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["inspect", "in.txt", "-f", "bogus"], "unknown format 'bogus'"),
        (["validate", "in.txt", "-0"], "-0/--null reads a --files-from list"),
        (["convert", "in.txt", "-t", "json", "-o", "out", "-0"], "-0/--null reads"),
    ],
)
def test_usage_mistakes_exit_2(
    tmp_path: Path, seed_bytes: bytes, args: list[str], says: str
) -> None:
    (tmp_path / "in.txt").write_bytes(seed_bytes)
    done = _cablekit(*args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert says in done.stderr


def test_convert_junit_report_is_named_after_convert(tmp_path: Path, seed_bytes: bytes) -> None:
    (tmp_path / "in.txt").write_bytes(seed_bytes)
    done = _cablekit(
        "convert", "in.txt", "-t", "json,tei", "-o", "out", "--report", "junit:j.xml", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    import xml.etree.ElementTree as ET

    suites = ET.parse(tmp_path / "j.xml").getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == ["cablekit convert -t json,tei"]
