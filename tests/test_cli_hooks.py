"""The pre-commit hooks and the GitHub Actions example: they name formats and options the
command has, their file patterns agree with what the command reads, and they run."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from cablekit.batch import EXTENSIONS
from cablekit.formats import FORMATS

yaml = pytest.importorskip("yaml", reason="PyYAML reads the hook and workflow files")
ROOT = Path(__file__).resolve().parent.parent
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
SCRIPT = Path(sys.executable).parent / "cablekit"


def hook_format(hook: dict[str, str]) -> str | None:
    words = shlex.split(hook["entry"])
    return words[words.index("-f") + 1] if "-f" in words else None


def test_one_hook_per_format_and_one_for_any() -> None:
    ids = [h["id"] for h in HOOKS]
    assert len(ids) == len(set(ids))
    readable = {name for name, (_, can_read, _) in FORMATS.items() if can_read}
    assert {hook_format(h) for h in HOOKS} == readable | {None}
    for h in HOOKS:
        assert shlex.split(h["entry"])[:2] == ["cablekit", "validate"]
        assert h["language"] == "python"


@pytest.mark.parametrize("hook", HOOKS, ids=lambda h: h["id"])
def test_hook_patterns_match_the_files_the_command_reads(hook: dict[str, str]) -> None:
    pattern = re.compile(hook["files"])
    fmt = hook_format(hook)
    mine = EXTENSIONS.get(fmt, ()) if fmt else tuple(e for v in EXTENSIONS.values() for e in v)
    for ext in mine:
        assert pattern.search(f"cables/07BAKU595{ext}"), (hook["id"], ext)
    others = {e for f, exts in EXTENSIONS.items() if f != fmt for e in exts} - set(mine)
    for ext in others:
        assert not pattern.search(f"cables/07BAKU595{ext}"), (hook["id"], ext)
    assert not pattern.search("README.md")


def _run_hook(hook_id: str, *files: Path) -> subprocess.CompletedProcess[bytes]:
    hook = next(h for h in HOOKS if h["id"] == hook_id)
    words = shlex.split(hook["entry"])
    command = (
        [str(SCRIPT), *words[1:]]
        if SCRIPT.exists()
        else [sys.executable, "-m", "cablekit.cli", *words[1:]]
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    return subprocess.run([*command, *map(str, files)], capture_output=True, env=env, timeout=120)


def test_hooks_run_as_pre_commit_runs_them(seed_path: Path, tmp_path: Path) -> None:
    ok = _run_hook("cablekit-validate-text", seed_path)
    assert ok.returncode == 0, ok.stdout.decode() + ok.stderr.decode()
    assert _run_hook("cablekit-validate", seed_path).returncode == 0
    wrong = _run_hook("cablekit-validate-json", seed_path)  # a telegram is not JSON
    assert wrong.returncode == 1
    assert wrong.stdout.decode().startswith(f"{seed_path}:")


def test_the_workflow_validates_a_folder_and_keeps_reports() -> None:
    flow = yaml.safe_load((ROOT / "examples" / "ci" / "validate-cables.yml").read_text())
    steps = flow["jobs"]["validate"]["steps"]
    commands = " ".join(s.get("run", "") for s in steps)
    assert 'cablekit validate "$CABLES"' in commands
    reports = re.findall(r"--report (\w+):(\S+)", commands)
    assert {fmt for fmt, _ in reports} == {"sarif", "junit", "json"}
    sarif = next(path for fmt, path in reports if fmt == "sarif")
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert upload["with"]["sarif_file"] == sarif
    assert flow["permissions"]["security-events"] == "write"
    config = yaml.safe_load((ROOT / "examples" / "ci" / "pre-commit-config.yaml").read_text())
    used = {h["id"] for r in config["repos"] for h in r["hooks"]}
    assert used <= {h["id"] for h in HOOKS}
