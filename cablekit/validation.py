"""`validate`: schema checks of a file in any supported format, then the cable rules.

A converter module that can check its own format provides
`validate(data: bytes, source: str | None) -> list[Diagnostic]`; formats without one are
checked by reading them (a read error becomes a diagnostic).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from cablekit.errors import CablekitError, Diagnostic
from cablekit.formats import converter, sniff
from cablekit.model import Cable


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
) -> list[Diagnostic]:
    """Diagnostics for one document; an empty list means valid.

    The format's own checks come first; a document that passes them is read and the cable
    rules selected by `select` / `ignore` (codes or prefixes, see cablekit.rules) run on it.
    An empty `select` runs no rule.
    """
    fmt = fmt or sniff(data[:4096])
    # Refuse a bad selector before any work: it is the caller's usage error, not the file's.
    from cablekit.rules import select_rules

    sel = None if select is None else tuple(select)
    rules = () if sel == () else select_rules(sel, ignore)
    try:
        module = converter(fmt)
    except ValueError as e:
        return [Diagnostic("CK-FORMAT", "error", str(e), path=source)]
    found: list[Diagnostic] = []
    check = getattr(module, "validate", None)
    if check is not None:
        found = list(check(data, source))
        if any(d.severity == "error" for d in found) or not rules:
            return found
    try:
        cable: Cable = module.loads(data, source)
    except CablekitError as e:
        return [*found, error_diagnostic(e, source)]
    if not rules:
        return found
    from cablekit.rules import check as run_rules

    line_offset = None
    if fmt == "text":
        # Lines of the seed form's metadata block stand before the telegram.
        layout = cable.page.layout if cable.page is not None else None
        line_offset = layout.count("\n") if layout else 0
    return [*found, *run_rules(cable, source=source, line_offset=line_offset, rules=rules)]


def validate(
    source: str | os.PathLike[str] | bytes,
    fmt: str | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
) -> list[Diagnostic]:
    """Validate a file (path) or a document (bytes); returns diagnostics, empty when valid.

    `select` / `ignore` choose the cable rules by code or prefix ('C103', 'E', 'ALL'); a
    selector that matches no rule raises ValueError.
    """
    if isinstance(source, bytes):
        return validate_bytes(source, fmt, None, select, ignore)
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError as e:
        return [Diagnostic("CK-IO", "error", e.strerror or str(e), path=str(path))]
    return validate_bytes(data, fmt, str(path), select, ignore)
