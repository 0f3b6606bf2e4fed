"""The library entry points: read a path, load bytes or text, dump a cable to a format."""

from __future__ import annotations

import os
from pathlib import Path

from cablekit.errors import CablekitError
from cablekit.formats import FORMATS, converter, sniff
from cablekit.model import Cable


def _check_fmt(fmt: str, *, write: bool) -> None:
    entry = FORMATS.get(fmt)
    if entry is None or not entry[2 if write else 1]:
        usable = sorted(n for n, e in FORMATS.items() if e[2 if write else 1])
        what = "write" if write else "read"
        raise CablekitError(
            f"cannot {what} format {fmt!r} (formats: {', '.join(usable)})", code="CK-FORMAT"
        )


def loads(data: bytes | str, fmt: str | None = None, *, source: str | None = None) -> Cable:
    """A cable from bytes or text; the format is sniffed from the content when fmt is None."""
    if fmt is None:
        head = data[:4096] if isinstance(data, bytes) else data[:4096].encode("utf-8", "replace")
        fmt = sniff(head)
    _check_fmt(fmt, write=False)
    cable: Cable = converter(fmt).loads(data, source)
    return cable


def read(source: str | os.PathLike[str], fmt: str | None = None) -> Cable:
    """A cable from a file path."""
    path = Path(source)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise CablekitError("is a directory, not a cable file", str(path), code="CK-IO") from None
    except OSError as e:
        raise CablekitError(e.strerror or str(e), str(path), code="CK-IO") from None
    return loads(data, fmt, source=str(path))


def dumps(cable: Cable, fmt: str) -> bytes:
    """The cable written in a format, as bytes."""
    _check_fmt(fmt, write=True)
    out: bytes = converter(fmt).dumps(cable)
    return out
