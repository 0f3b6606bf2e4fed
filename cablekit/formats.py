"""Format registry and sniffing: a format name -> its converter module; content -> a name.

Converters are imported only when a format is used, so the CLI starts fast.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# name -> (module under cablekit.converters, can read, can write)
# A format is listed once its module exists; `available()` hides the ones still missing.
FORMATS: dict[str, tuple[str, bool, bool]] = {
    "text": ("text", True, True),
    "html": ("html", True, False),
    "json": ("json", True, True),
    "jsonl": ("jsonl", True, True),
    "tei": ("tei", True, True),
    "csv": ("csv", True, False),
}


def available() -> list[str]:
    """The formats whose converter module is installed."""
    import importlib.util

    return [
        name
        for name, (module, _, _) in FORMATS.items()
        if importlib.util.find_spec(f"cablekit.converters.{module}") is not None
    ]


def converter(name: str) -> ModuleType:
    try:
        module, _, _ = FORMATS[name]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise ValueError(f"unknown format {name!r} (known: {known})") from None
    return importlib.import_module(f"cablekit.converters.{module}")


def sniff(head: bytes) -> str:
    """Name the format of content from its first bytes; 'text' when nothing else fits.

    Given the whole document, JSON Lines is told from JSON anywhere in it.
    """
    s = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    low = s[:2048].lower()
    if s.startswith(b"<") and (
        b"<!doctype html" in low or b"<html" in low or b"<table class='cable'" in low
    ):
        return "html"
    if s.startswith(b"<"):
        return "tei"
    if s.startswith(b"{"):
        # JSON Lines: a second document starts a line; a single JSON document never does.
        return "jsonl" if b"}\n{" in s or b"}\r\n{" in s else "json"
    if s.startswith(b'"') and b'","' in s[:64]:
        return "csv"
    return "text"
