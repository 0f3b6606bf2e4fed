"""real_paths (the planning's inputs resolved folder by folder) against os.path.realpath, on
trees with links to files, to folders, upwards, dangling and in loops."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cablekit.batch import real_paths

NAMES = ["a", "b", "f.html", "link", "up", "loop", "dangling", ".", "..", ""]


def _tree(root: Path) -> None:
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / "f.html").write_text("x")
    (root / "a" / "f.html").write_text("y")
    (root / "f.html").write_text("z")
    (root / "a" / "link").symlink_to(root / "a" / "b")  # a folder
    (root / "a" / "b" / "link").symlink_to("f.html")  # a file, relative
    (root / "link").symlink_to("a/b/link")  # a link to a link
    (root / "a" / "b" / "up").symlink_to("..")  # upwards
    (root / "a" / "loop").symlink_to("loop")  # itself
    (root / "a" / "b" / "dangling").symlink_to("nowhere/f.html")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(NAMES), min_size=1, max_size=5), max_size=12))
def test_real_paths_are_realpath(
    tmp_path_factory: pytest.TempPathFactory, paths: list[list[str]]
) -> None:
    root = tmp_path_factory.mktemp("tree")
    _tree(root)
    here = os.getcwd()
    os.chdir(root)
    try:
        given_paths = ["/".join(parts) for parts in paths]
        given_paths += [str(root / p) for p in given_paths]  # absolute ones too
        expected = {p: os.path.realpath(p) for p in given_paths}
        assert real_paths(given_paths) == expected
    finally:
        os.chdir(here)
