"""The planning's shortcuts against what they stand for: real_paths (inputs resolved folder
by folder) against os.path.realpath, on trees with links to files, to folders, upwards,
dangling and in loops; output_name against pathlib's with_suffix."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import example, given, settings
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


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.lists(st.sampled_from(NAMES), min_size=1, max_size=5), max_size=12))
# Where realpath stops at a link that loops and joins the rest as written.
@example([["a", "loop", "..", "link"]])
@example([["a", "loop", "", "a"]])
@example([["a", "loop", ".", "f.html"]])
@example([[""]])
@example([["a", ""]])
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


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(
        st.sampled_from(["a", "b.c", ".", "..", "", ".d", "e.", "f.g.h", "i j", "é.k"]), max_size=5
    ),
    st.sampled_from(["json", "tei", "text", "jsonl"]),
)
def test_output_name_is_path_with_suffix(parts: list[str], fmt: str) -> None:
    from cablekit.batch import OUTPUT_SUFFIX, output_name

    rel = "/".join(parts)
    p = Path(rel)
    suffix = OUTPUT_SUFFIX[fmt]
    try:
        expected = p.with_suffix(suffix).as_posix() if p.suffix else rel + suffix
    except ValueError as e:  # Path refuses it: so does output_name
        with pytest.raises(ValueError, match=str(e)[:20]):
            output_name(rel, fmt)
        return
    assert output_name(rel, fmt) == expected
