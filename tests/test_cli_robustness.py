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
