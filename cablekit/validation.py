"""`validate`: schema checks of a file in any supported format, then the cable rules.

A converter module that can check its own format provides
`validate(data: bytes, source: str | None) -> list[Diagnostic]`; formats without one are
checked by reading them (a read error becomes a diagnostic).
"""

from __future__ import annotations

import os
from pathlib import Path

from cablekit.errors import CablekitError, Diagnostic
from cablekit.formats import converter, sniff


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
    data: bytes, fmt: str | None = None, source: str | None = None
) -> list[Diagnostic]:
    """Diagnostics for one document; an empty list means valid."""
    fmt = fmt or sniff(data[:4096])
    try:
        module = converter(fmt)
    except ValueError as e:
        return [Diagnostic("CK-FORMAT", "error", str(e), path=source)]
    check = getattr(module, "validate", None)
    if check is not None:
        found: list[Diagnostic] = check(data, source)
        return found
    try:
        module.loads(data, source)
    except CablekitError as e:
        return [error_diagnostic(e, source)]
    return []


def validate(source: str | os.PathLike[str] | bytes, fmt: str | None = None) -> list[Diagnostic]:
    """Validate a file (path) or a document (bytes); returns diagnostics, empty when valid."""
    if isinstance(source, bytes):
        return validate_bytes(source, fmt, None)
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError as e:
        return [Diagnostic("CK-IO", "error", e.strerror or str(e), path=str(path))]
    return validate_bytes(data, fmt, str(path))
