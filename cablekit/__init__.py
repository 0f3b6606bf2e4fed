"""cablekit: US diplomatic cables between telegram text, JSON and TEI through one model.

Public API: read, loads, dumps, validate, Cable and its parts, CablekitError, Diagnostic.
"""

from __future__ import annotations

from cablekit.api import dumps, loads, read
from cablekit.errors import CablekitError, Diagnostic
from cablekit.model import Cable, PageMetadata
from cablekit.validation import validate

__version__ = "0.1.0"

__all__ = [
    "Cable",
    "CablekitError",
    "Diagnostic",
    "PageMetadata",
    "__version__",
    "dumps",
    "loads",
    "read",
    "validate",
]
