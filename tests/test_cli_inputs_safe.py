"""Inputs are only ever read: no ledger or report may be written over one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def _cablekit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cablekit.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    "args",
    [
        ("convert", "in.txt", "-t", "json", "-o", "out", "--ledger", "in.txt"),
        ("validate", "in.txt", "--ledger", "./in.txt"),
        ("validate", "in.txt", "--report", "junit:in.txt"),
        ("convert", "in.txt", "-t", "json", "-o", "out", "--report", "sarif:in.txt"),
    ],
)
def test_ledger_or_report_naming_an_input_is_refused(
    args: tuple[str, ...], tmp_path: Path, seed_bytes: bytes
) -> None:
    (tmp_path / "in.txt").write_bytes(seed_bytes)
    done = _cablekit(*args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "in.txt: the" in done.stderr and "would overwrite an input" in done.stderr
    assert (tmp_path / "in.txt").read_bytes() == seed_bytes
    assert not (tmp_path / "out").exists()


def test_step_summary_written_once(tmp_path: Path, seed_bytes: bytes) -> None:
    import os

    (tmp_path / "in.txt").write_bytes(seed_bytes)
    env = {**os.environ, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(tmp_path / "s.md")}
    done = subprocess.run(
        [sys.executable, "-m", "cablekit.cli", "validate", "in.txt", "--report", "github:g.txt"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "s.md").read_text().count("### cablekit validate") == 1
