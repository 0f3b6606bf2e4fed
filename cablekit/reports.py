"""Validation reports: per-file verdicts and diagnostics rendered as text, json, github,
junit and sarif (2.1.0), the formats CI systems read.

Renderers are pure functions of the results: same results, same bytes (no timestamps).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from urllib.parse import quote

from cablekit.errors import CablekitError, Diagnostic

VALID = "valid"
INVALID = "invalid"
NOT_CHECKED = "not-checked"
VERDICTS = (VALID, INVALID, NOT_CHECKED)

FORMATS = ("text", "json", "github", "junit", "sarif")

# The JSON report's shape version; readers refuse any other (see load_json_report).
REPORT_VERSION = 1
REPORT_KIND = "cablekit-report"

# GitHub shows about ten annotations of each kind per step; more are dropped silently.
GITHUB_ANNOTATIONS_PER_LEVEL = 10
# GitHub code scanning accepts at most 25,000 results per run.
SARIF_MAX_RESULTS = 25_000
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# Rows of the GitHub step summary's table of files with problems.
STEP_SUMMARY_ROWS = 50


@dataclass(frozen=True, slots=True)
class FileResult:
    """One input file: its verdict (valid, invalid, not-checked) and what was found.

    An unreadable file or one of an unknown format is `not-checked`, never valid.
    """

    path: str
    verdict: str
    diagnostics: tuple[Diagnostic, ...] = ()
    sha256: str | None = None
    format: str | None = None
    cables: int | None = None  # cables checked inside (a bulk CSV holds many)


@dataclass(frozen=True, slots=True)
class Summary:
    files: int
    valid: int
    invalid: int
    not_checked: int
    errors: int
    warnings: int
    infos: int

    @property
    def ok(self) -> bool:
        return self.invalid == 0 and self.not_checked == 0


def summarize(results: Iterable[FileResult]) -> Summary:
    counts = dict.fromkeys(VERDICTS, 0)
    sev = {"error": 0, "warning": 0, "info": 0}
    n = 0
    for r in results:
        n += 1
        counts[r.verdict] = counts.get(r.verdict, 0) + 1
        for d in r.diagnostics:
            key = d.severity if d.severity in sev else "error"
            sev[key] += 1
    return Summary(
        files=n,
        valid=counts[VALID],
        invalid=counts[INVALID],
        not_checked=counts[NOT_CHECKED],
        errors=sev["error"],
        warnings=sev["warning"],
        infos=sev["info"],
    )


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def summary_line(s: Summary) -> str:
    """'3 files: 1 valid, 1 invalid, 1 not checked; 2 errors, 0 warnings'."""
    return (
        f"{_plural(s.files, 'file')}: {s.valid:,} valid, {s.invalid:,} invalid, "
        f"{s.not_checked:,} not checked; {_plural(s.errors, 'error')}, "
        f"{_plural(s.warnings, 'warning')}"
    )


# --- text ---------------------------------------------------------------------------------


def one_line(message: str) -> str:
    """A message on one line: line breaks written as the two characters \\n."""
    return message.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\r")


# What a line of text must not carry raw: control characters (a newline in a file name
# would split a report line) and the stand-ins for bytes of a name that is not UTF-8.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _escape(m: re.Match[str]) -> str:
    c = m.group()
    n = ord(c)
    if c in _NAMED:
        return _NAMED[c]
    if 0xDC80 <= n <= 0xDCFF:  # a byte of a file name that is not UTF-8
        return f"\\x{n - 0xDC00:02x}"
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def printable(s: str) -> str:
    """`s` on one line of text: control characters and the bytes of a file name that is
    not UTF-8 written as backslash escapes (\\n, \\x1b, \\xe9)."""
    return _UNPRINTABLE.sub(_escape, s)


def encodable(s: str) -> str:
    """`s` with the bytes of a non-UTF-8 file name written as \\xNN, so it can be written
    as UTF-8; everything else as it is."""
    return _SURROGATE.sub(_escape, s)


def json_text(doc: object, indent: int | None = None) -> str:
    """JSON that can be written as UTF-8 whatever the file names in it: a name that is not
    UTF-8 is kept exact, as \\udcXX escapes (json.loads and os.fsencode give it back)."""
    seps = (",", ":") if indent is None else None
    text = json.dumps(doc, indent=indent, ensure_ascii=False, separators=seps)
    if _SURROGATE.search(text):
        text = json.dumps(doc, indent=indent, ensure_ascii=True, separators=seps)
    return text


def where(d: Diagnostic, path: str) -> tuple[str, int, int]:
    return (d.path or path, d.line or 0, d.col or 0)


def text_line(d: Diagnostic, path: str) -> str:
    """`path:line:col: SEVERITY CODE message` (0 where a position does not apply)."""
    p, line, col = where(d, path)
    return f"{printable(p)}:{line}:{col}: {d.severity.upper()} {d.code} {printable(d.message)}"


def text_lines(result: FileResult) -> list[str]:
    return [text_line(d, result.path) for d in result.diagnostics]


def render_text(results: Sequence[FileResult]) -> str:
    return "".join(line + "\n" for r in results for line in text_lines(r))


# --- json ---------------------------------------------------------------------------------


def _diag_json(d: Diagnostic, path: str) -> dict[str, object]:
    return {
        "code": d.code,
        "severity": d.severity,
        "message": d.message,
        "path": d.path or path,
        "line": d.line,
        "col": d.col,
        "pointer": d.pointer,
    }


def report_document(results: Sequence[FileResult], tool_version: str) -> dict[str, object]:
    s = summarize(results)
    return {
        "kind": REPORT_KIND,
        "version": REPORT_VERSION,
        "tool": {"name": "cablekit", "version": tool_version},
        "summary": {
            "files": s.files,
            "valid": s.valid,
            "invalid": s.invalid,
            "not_checked": s.not_checked,
            "errors": s.errors,
            "warnings": s.warnings,
            "infos": s.infos,
        },
        "files": [
            {
                "path": r.path,
                "sha256": r.sha256,
                "format": r.format,
                "verdict": r.verdict,
                "cables": r.cables,
                "diagnostics": [_diag_json(d, r.path) for d in r.diagnostics],
            }
            for r in results
        ],
    }


def render_json(results: Sequence[FileResult], tool_version: str) -> str:
    doc = report_document(results, tool_version)
    return json_text(doc, indent=2) + "\n"


def load_json_report(data: str | bytes, source: str | None = None) -> dict[str, object]:
    """Read a JSON report back, refusing any other report version with a clear message."""
    try:
        doc = json.loads(data)
    except ValueError as e:
        raise CablekitError(f"not a JSON report: {e}", source, code="CK-REPORT") from None
    if not isinstance(doc, dict) or doc.get("kind") != REPORT_KIND:
        raise CablekitError("not a cablekit JSON report", source, code="CK-REPORT")
    if doc.get("version") != REPORT_VERSION:
        raise CablekitError(
            f"report version {doc.get('version')!r}; this cablekit reads version {REPORT_VERSION}",
            source,
            code="CK-REPORT-VERSION",
        )
    return doc


# --- github -------------------------------------------------------------------------------

_GH_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _gh_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(s: str) -> str:
    return _gh_data(s).replace(":", "%3A").replace(",", "%2C")


def github_annotation(d: Diagnostic, path: str) -> str:
    """`::error file=…,line=…,col=…,title=CODE::message`."""
    level = _GH_LEVEL.get(d.severity, "error")
    props = [f"file={_gh_prop(printable(d.path or path))}"]
    if d.line:
        props.append(f"line={d.line}")
        if d.col:
            props.append(f"col={d.col}")
    props.append(f"title={_gh_prop(d.code)}")
    return f"::{level} {','.join(props)}::{_gh_data(encodable(d.message))}"


def render_github(results: Sequence[FileResult], limit: int = GITHUB_ANNOTATIONS_PER_LEVEL) -> str:
    """Annotations for the first `limit` problems of each level, plain lines for the rest,
    and a count of what was not annotated."""
    shown = {"error": 0, "warning": 0, "notice": 0}
    lines: list[str] = []
    rest: list[str] = []
    for r in results:
        for d in r.diagnostics:
            level = _GH_LEVEL.get(d.severity, "error")
            if shown[level] < limit:
                shown[level] += 1
                lines.append(github_annotation(d, r.path))
            else:
                rest.append(text_line(d, r.path))
    if rest:
        lines.extend(rest)
        lines.append(
            f"{_plural(len(rest), 'more problem')} not shown as annotations "
            f"(GitHub shows {limit} of each kind per step); see the lines above "
            "and the step summary"
        )
    return "".join(line + "\n" for line in lines)


def _md_cell(s: str) -> str:
    return encodable(one_line(s)).replace("|", "\\|")


def github_step_summary(
    results: Sequence[FileResult], title: str = "cablekit validate", rows: int = STEP_SUMMARY_ROWS
) -> str:
    """Markdown for $GITHUB_STEP_SUMMARY: the verdict counts and the files with problems."""
    s = summarize(results)
    out = [
        f"### {title}",
        "",
        "| verdict | files |",
        "|---|---:|",
        f"| valid | {s.valid:,} |",
        f"| invalid | {s.invalid:,} |",
        f"| not checked | {s.not_checked:,} |",
        "",
        f"{_plural(s.errors, 'error')}, {_plural(s.warnings, 'warning')}.",
        "",
    ]
    bad = [r for r in results if r.verdict != VALID]
    if bad:
        out += ["| file | verdict | problems | first problem |", "|---|---|---:|---|"]
        for r in bad[:rows]:
            first = r.diagnostics[0] if r.diagnostics else None
            text = f"{first.code} {first.message}" if first else ""
            name = _md_cell(printable(r.path))
            out.append(f"| {name} | {r.verdict} | {len(r.diagnostics)} | {_md_cell(text)} |")
        if len(bad) > rows:
            out.append(f"\n{len(bad) - rows:,} more files with problems not listed.")
        out.append("")
    return "\n".join(out) + "\n"


# --- junit --------------------------------------------------------------------------------

# Characters XML 1.0 cannot carry at all; a message quoting binary input may hold them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_text(s: str) -> str:
    return _XML_ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", s)


def render_junit(results: Sequence[FileResult], name: str = "cablekit validate") -> str:
    """One test case per file: invalid = failure, not checked = error, valid = pass."""
    import xml.etree.ElementTree as ET

    s = summarize(results)
    counts = {
        "tests": str(s.files),
        "failures": str(s.invalid),
        "errors": str(s.not_checked),
        "skipped": "0",
    }
    root = ET.Element("testsuites", {"name": "cablekit", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": name, **counts})
    for r in results:
        case = ET.SubElement(
            suite,
            "testcase",
            {"classname": "cablekit", "name": printable(r.path), "file": printable(r.path)},
        )
        body = _xml_text("".join(line + "\n" for line in text_lines(r)))
        first = r.diagnostics[0] if r.diagnostics else None
        attrs = {
            "type": first.code if first else r.verdict,
            "message": _xml_text(one_line(first.message)) if first else r.verdict,
        }
        if r.verdict == INVALID:
            ET.SubElement(case, "failure", attrs).text = body
        elif r.verdict == NOT_CHECKED:
            ET.SubElement(case, "error", attrs).text = body
        elif body:
            ET.SubElement(case, "system-out").text = body  # warnings of a valid file
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


# --- sarif --------------------------------------------------------------------------------

_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _uri(path: str) -> str:
    # Percent-encoded from the name's bytes: a name that is not UTF-8 stays exact.
    p = PurePath(path)
    uri = quote(os.fsencode(p.as_posix()))
    return "file://" + uri if p.is_absolute() else uri


def render_sarif(
    results: Sequence[FileResult], tool_version: str, max_results: int = SARIF_MAX_RESULTS
) -> str:
    """One SARIF 2.1.0 run; results beyond `max_results` are counted in a notification."""
    rule_index: dict[str, int] = {}
    rules: list[dict[str, object]] = []
    out: list[dict[str, object]] = []
    omitted = 0
    for r in results:
        for d in r.diagnostics:
            if len(out) >= max_results:
                omitted += 1
                continue
            if d.code not in rule_index:
                rule_index[d.code] = len(rules)
                rules.append({"id": d.code})
            location: dict[str, object] = {"artifactLocation": {"uri": _uri(d.path or r.path)}}
            if d.line:
                region: dict[str, int] = {"startLine": d.line}
                if d.col:
                    region["startColumn"] = d.col
                location["region"] = region
            result: dict[str, object] = {
                "ruleId": d.code,
                "ruleIndex": rule_index[d.code],
                "level": _SARIF_LEVEL.get(d.severity, "error"),
                "message": {"text": d.message},
                "locations": [{"physicalLocation": location}],
            }
            props: dict[str, object] = {"verdict": r.verdict}
            if d.pointer:
                props["pointer"] = d.pointer
            result["properties"] = props
            out.append(result)
    invocation: dict[str, object] = {"executionSuccessful": True}
    if omitted:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "warning",
                "message": {
                    "text": f"{omitted:,} results not included: SARIF consumers accept at most "
                    f"{max_results:,} per run"
                },
            }
        ]
    s = summarize(results)
    run: dict[str, object] = {
        "tool": {"driver": {"name": "cablekit", "version": tool_version, "rules": rules}},
        "invocations": [invocation],
        "columnKind": "unicodeCodePoints",
        "results": out,
        "properties": {
            "files": s.files,
            "valid": s.valid,
            "invalid": s.invalid,
            "notChecked": s.not_checked,
            "omittedResults": omitted,
        },
    }
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json_text(doc, indent=2) + "\n"


def render(fmt: str, results: Sequence[FileResult], tool_version: str) -> str:
    """A whole report in one of FORMATS."""
    if fmt == "text":
        return render_text(results)
    if fmt == "json":
        return render_json(results, tool_version)
    if fmt == "github":
        return render_github(results)
    if fmt == "junit":
        return render_junit(results)
    if fmt == "sarif":
        return render_sarif(results, tool_version)
    raise ValueError(f"unknown report format {fmt!r} (formats: {', '.join(FORMATS)})")
