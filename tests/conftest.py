"""Shared fixtures: where the corpus is, and the seed cable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SEED = EXAMPLES / "07BAKU595.txt"


def corpus_dir() -> Path:
    """The shared corpus: $CABLEKIT_CORPUS, else ../shared/corpus beside the repository."""
    env = os.environ.get("CABLEKIT_CORPUS")
    return Path(env) if env else ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def corpus() -> Path:
    path = corpus_dir()
    if not (path / "cablegate-html").is_dir():
        pytest.skip(f"corpus not found at {path} (set CABLEKIT_CORPUS)")
    return path


@pytest.fixture(scope="session")
def seed_bytes() -> bytes:
    return SEED.read_bytes()


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


_FIGURES = pytest.StashKey[list[str]]()


@pytest.fixture(scope="session")
def figures(request: pytest.FixtureRequest) -> list[str]:
    """Lines a test wants shown after the run (corpus figures); printed in the summary."""
    return request.config.stash.setdefault(_FIGURES, [])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = terminalreporter.config.stash.get(_FIGURES, [])
    if lines:
        terminalreporter.section("corpus figures")
        for line in lines:
            terminalreporter.write_line(line)
