"""`validate`: schema checks of a file in any supported format, then the cable rules.

A converter module that can check its own format provides
`validate(data: bytes, source: str | None) -> list[Diagnostic]`; formats without one are
checked by reading them (a read error becomes a diagnostic). One that can check and read in
one pass provides `check_and_read(data, source)` -> (diagnostics, cable or None, part
locations or None), used when the cable rules run. One that can say where each part of a
cable stands provides `part_locations(data, source)`, so that what a rule finds in a part is
reported at its line.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cablekit.errors import CablekitError, Diagnostic
from cablekit.formats import converter, sniff
from cablekit.model import Cable

if TYPE_CHECKING:
    from cablekit.rules import Location, PartLocator


def error_diagnostic(e: CablekitError, source: str | None) -> Diagnostic:
    return Diagnostic(
        code=e.code,
        severity="error",
        message=e.message,
        path=e.source or source,
        line=e.line,
        col=e.col,
    )


def validate_bytes(
    data: bytes,
    fmt: str | None = None,
    source: str | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    *,
    encoding: str | None = None,
) -> list[Diagnostic]:
    """Diagnostics for one document; an empty list means valid (`encoding`: that of telegram
    text, as for cablekit.loads).

    The format's own checks come first; a document that passes them is read and the cable
    rules selected by `select` / `ignore` (codes or prefixes, see cablekit.rules) run on it.
    An empty `select` runs no rule.
    """
    fmt = fmt or sniff(data)
    # Refuse a bad selector before any work: it is the caller's usage error, not the file's.
    from cablekit.rules import select_rules

    sel = None if select is None else tuple(select)
    rules = () if sel == () else select_rules(sel, ignore)
    if encoding is not None:
        from cablekit.encodings import encoding_name

        encoding_name(encoding)  # ValueError for an unknown one
    try:
        module = converter(fmt)
    except ValueError as e:
        return [Diagnostic("CK-FORMAT", "error", str(e), path=source)]
    if fmt in ("jsonl", "csv"):
        return _validate_records(data, fmt, source, rules)
    found: list[Diagnostic] = []
    check = getattr(module, "validate", None)
    check_and_read = getattr(module, "check_and_read", None)
    cable: Cable | None = None
    located: Callable[[], list[Location]] | None = None
    if rules and check_and_read is not None:
        # The checks and the reading in one pass: the rules need the cable they build.
        found, cable, located = check_and_read(data, source)
        if cable is None or any(d.severity == "error" for d in found):
            return found
    elif check is not None:
        found = list(check(data, source))
        if any(d.severity == "error" for d in found) or not rules:
            return found
    if cable is None:
        try:
            if encoding is not None and fmt == "text":
                cable = module.loads(data, source, encoding)
            else:
                cable = module.loads(data, source)
        except CablekitError as e:
            return [*found, error_diagnostic(e, source)]
    if not rules:
        return found
    from cablekit.rules import check as run_rules

    line_offset = None
    locate = None
    if fmt == "text":
        # Lines of the seed form's metadata block stand before the telegram.
        layout = cable.page.layout if cable.page is not None else None
        line_offset = layout.count("\n") if layout else 0
    elif located is not None:
        locate = _part_locator(located)
    elif hasattr(module, "part_locations"):
        locate = _part_locator(lambda: module.part_locations(data, source))
    found.extend(
        run_rules(cable, source=source, line_offset=line_offset, locate=locate, rules=rules)
    )
    return found


def _part_locator(locations_of: Callable[[], list[Location]]) -> PartLocator:
    """Where a part stands in the document, worked out on the first question only (most
    documents have no finding to place)."""
    found: list[Location] | None = None

    def locate(index: int) -> Location:
        nonlocal found
        if found is None:
            try:
                found = locations_of()
            except CablekitError:  # read once already: cannot happen, and costs no position
                found = []
        return found[index] if 0 <= index < len(found) else (None, None, None)

    return locate


def _validate_records(
    data: bytes, fmt: str, source: str | None, rules: tuple[Any, ...]
) -> list[Diagnostic]:
    """A file of many cables: every record is checked, then the rules run on each cable read."""
    import io

    from cablekit.rules import check as run_rules

    found: list[Diagnostic] = []
    cables: list[tuple[int, Cable]] = []
    if fmt == "jsonl":
        jsonl = converter("jsonl")
        seen = False
        for number, cable, diagnostics in jsonl.records(data, source):
            seen = True
            found.extend(diagnostics)
            if cable is not None and not any(d.severity == "error" for d in diagnostics):
                cables.append((number, cable))
        if not seen:
            found.append(
                Diagnostic("CK-EMPTY", "error", "no cable: the file is empty", source, 1, 1)
            )
    else:
        from cablekit.telegram import cable_from_telegram

        csv = converter("csv")
        any_record = False
        for item in csv.iter_records(io.BytesIO(data), source):
            any_record = True
            if isinstance(item, CablekitError):
                found.append(error_diagnostic(item, source))
                continue
            try:
                cable = cable_from_telegram(item.telegram, item.page, f"{source}:{item.line}")
            except CablekitError as e:
                found.append(error_diagnostic(e, source))
                continue
            cables.append((item.line, cable))
        if not any_record:
            found.append(
                Diagnostic("CK-EMPTY", "error", "no record: the file is empty", source, 1, 1)
            )
    for line, cable in cables:
        for d in run_rules(cable, source=source, rules=rules):
            # A record's findings point at the line where the record starts.
            found.append(dataclasses.replace(d, line=d.line or line))
    return found


def validate(
    source: str | os.PathLike[str] | bytes,
    fmt: str | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    *,
    encoding: str | None = None,
) -> list[Diagnostic]:
    """Validate a file (path) or a document (bytes); returns diagnostics, empty when valid.

    `select` / `ignore` choose the cable rules by code or prefix ('C103', 'E', 'ALL'); a
    selector that matches no rule raises ValueError. `encoding` is that of telegram text
    (default UTF-8); an encoding Python does not know raises ValueError.
    """
    if isinstance(source, bytes):
        return validate_bytes(source, fmt, None, select, ignore, encoding=encoding)
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError as e:
        return [Diagnostic("CK-IO", "error", e.strerror or str(e), path=str(path))]
    if fmt is None and path.suffix.lower() == ".jsonl":
        fmt = "jsonl"
    return validate_bytes(data, fmt, str(path), select, ignore, encoding=encoding)
