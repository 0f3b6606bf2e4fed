"""The one exception type for bad input, and the diagnostic record validators return."""

from __future__ import annotations

from dataclasses import dataclass


class CablekitError(Exception):
    """Bad input: names the source and, where it applies, the line and column (1-based)."""

    def __init__(
        self,
        message: str,
        source: str | None = None,
        line: int | None = None,
        col: int | None = None,
        code: str = "CK-INPUT",
    ) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.col = col
        self.code = code
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.source or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding about one file, in a fixed shape every report renders."""

    code: str
    severity: str  # "error" | "warning" | "info"
    message: str
    path: str | None = None
    line: int | None = None
    col: int | None = None
    pointer: str | None = None  # JSON pointer (JSON) or XPath (TEI)

    def render(self) -> str:
        where = self.path or "<input>"
        where += f":{self.line or 0}:{self.col or 0}"
        return f"{where}: {self.severity.upper()} {self.code} {self.message}"
