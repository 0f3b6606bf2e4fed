"""Reports CI systems read: text lines, the versioned JSON report, GitHub annotations and
step summary, JUnit XML, SARIF 2.1.0."""

from __future__ import annotations

import json
import re

import pytest
from lxml import etree

from cablekit.errors import CablekitError, Diagnostic
from cablekit.reports import (
    INVALID,
    NOT_CHECKED,
    REPORT_VERSION,
    VALID,
    FileResult,
    github_annotation,
    github_step_summary,
    load_json_report,
    render,
    render_github,
    render_junit,
    render_sarif,
    summarize,
    summary_line,
    text_line,
)

RESULTS = [
    FileResult("cables/a.txt", VALID, (), "aa" * 32, "text"),
    FileResult(
        "cables/b.json",
        INVALID,
        (
            Diagnostic(
                "JSON-SCHEMA-required",
                "error",
                "'id' is a required property",
                "cables/b.json",
                3,
                5,
                "/layout/0",
            ),
            Diagnostic("C101", "warning", "banner says SECRET,\npage says CONFIDENTIAL", None),
        ),
        "bb" * 32,
        "json",
    ),
    FileResult(
        "cables/c d.bin",
        NOT_CHECKED,
        (Diagnostic("CK-BINARY", "error", "binary data: \x00\x1b here", "cables/c d.bin"),),
    ),
    FileResult("cables/e.html", VALID, (Diagnostic("T101", "info", "tag unknown: XX"),)),
]

# The parts of the SARIF 2.1.0 schema (oasis-tcs/sarif-spec, sarif-schema-2.1.0.json) that
# the objects cablekit writes must satisfy, with additionalProperties closed as there.
SARIF_SUBSET = {
    "type": "object",
    "required": ["version", "runs"],
    "additionalProperties": False,
    "properties": {
        "$schema": {"type": "string"},
        "version": {"enum": ["2.1.0"]},
        "runs": {"type": "array", "items": {"$ref": "#/$defs/run"}},
    },
    "$defs": {
        "message": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"text": {"type": "string"}, "id": {"type": "string"}},
            "anyOf": [{"required": ["text"]}, {"required": ["id"]}],
        },
        "run": {
            "type": "object",
            "required": ["tool"],
            "additionalProperties": False,
            "properties": {
                "tool": {
                    "type": "object",
                    "required": ["driver"],
                    "additionalProperties": False,
                    "properties": {
                        "driver": {
                            "type": "object",
                            "required": ["name"],
                            "additionalProperties": False,
                            "properties": {
                                "name": {"type": "string"},
                                "version": {"type": "string"},
                                "rules": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["id"],
                                        "additionalProperties": False,
                                        "properties": {"id": {"type": "string"}},
                                    },
                                },
                            },
                        }
                    },
                },
                "invocations": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["executionSuccessful"],
                        "additionalProperties": False,
                        "properties": {
                            "executionSuccessful": {"type": "boolean"},
                            "toolExecutionNotifications": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["message"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "message": {"$ref": "#/$defs/message"},
                                        "level": {"enum": ["none", "note", "warning", "error"]},
                                    },
                                },
                            },
                        },
                    },
                },
                "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                "results": {"type": "array", "items": {"$ref": "#/$defs/result"}},
                "properties": {"type": "object"},
            },
        },
        "result": {
            "type": "object",
            "required": ["message"],
            "additionalProperties": False,
            "properties": {
                "ruleId": {"type": "string"},
                "ruleIndex": {"type": "integer", "minimum": -1},
                "level": {"enum": ["none", "note", "warning", "error"]},
                "message": {"$ref": "#/$defs/message"},
                "locations": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "physicalLocation": {
                                "type": "object",
                                "additionalProperties": False,
                                "properties": {
                                    "artifactLocation": {
                                        "type": "object",
                                        "additionalProperties": False,
                                        "properties": {"uri": {"type": "string"}},
                                    },
                                    "region": {
                                        "type": "object",
                                        "additionalProperties": False,
                                        "properties": {
                                            "startLine": {"type": "integer", "minimum": 1},
                                            "startColumn": {"type": "integer", "minimum": 1},
                                        },
                                    },
                                },
                            }
                        },
                    },
                },
                "properties": {"type": "object"},
            },
        },
    },
}


def test_summary_counts_verdicts_and_severities() -> None:
    s = summarize(RESULTS)
    assert (s.files, s.valid, s.invalid, s.not_checked) == (4, 2, 1, 1)
    assert (s.errors, s.warnings, s.infos) == (2, 1, 1)
    assert not s.ok
    assert summary_line(s) == ("4 files: 2 valid, 1 invalid, 1 not checked; 2 errors, 1 warning")
    assert summarize(RESULTS[:1]).ok


def test_text_lines_are_grep_friendly_one_per_problem() -> None:
    out = render("text", RESULTS, "0.1.0").splitlines()
    assert out[0] == ("cables/b.json:3:5: ERROR JSON-SCHEMA-required 'id' is a required property")
    # No position: 0:0; a line break inside a message never splits the line.
    assert out[1] == (
        r"cables/b.json:0:0: WARNING C101 banner says SECRET,\npage says CONFIDENTIAL"
    )
    assert len(out) == 4
    pattern = re.compile(r"^[^:]+:\d+:\d+: (ERROR|WARNING|INFO) [A-Z][\w-]* .+$")
    assert all(pattern.match(line) for line in out), out


def test_json_report_is_versioned_and_complete() -> None:
    doc = json.loads(render("json", RESULTS, "9.9.9"))
    assert doc["kind"] == "cablekit-report" and doc["version"] == REPORT_VERSION
    assert doc["tool"] == {"name": "cablekit", "version": "9.9.9"}
    assert doc["summary"]["not_checked"] == 1 and doc["summary"]["files"] == 4
    assert [f["verdict"] for f in doc["files"]] == [VALID, INVALID, NOT_CHECKED, VALID]
    b = doc["files"][1]
    assert b["sha256"] == "bb" * 32 and b["format"] == "json"
    first = b["diagnostics"][0]
    assert (first["line"], first["col"], first["pointer"]) == (3, 5, "/layout/0")
    assert b["diagnostics"][1]["path"] == "cables/b.json"  # the file's, when none given
    assert load_json_report(render("json", RESULTS, "9.9.9"))["summary"] == doc["summary"]


def test_json_report_reader_refuses_other_versions() -> None:
    doc = json.loads(render("json", RESULTS, "0.1.0"))
    doc["version"] = REPORT_VERSION + 1
    with pytest.raises(CablekitError, match="report version 2; this cablekit reads version 1"):
        load_json_report(json.dumps(doc), "old.json")
    with pytest.raises(CablekitError, match="not a cablekit JSON report"):
        load_json_report('{"version": 1}')


GITHUB_LINE = re.compile(
    r"^::(error|warning|notice) file=[^,:]+(,line=\d+(,col=\d+)?)?,title=[^,:]+::.*$"
)


def test_github_annotations_are_well_formed_and_escaped() -> None:
    lines = render_github(RESULTS).splitlines()
    assert len(lines) == 4
    assert all(GITHUB_LINE.match(line) for line in lines), lines
    assert lines[0] == (
        "::error file=cables/b.json,line=3,col=5,title=JSON-SCHEMA-required::"
        "'id' is a required property"
    )
    assert lines[1].endswith("::banner says SECRET,%0Apage says CONFIDENTIAL")
    assert lines[3].startswith("::notice ")  # info findings are notices
    d = Diagnostic("X:1,2", "error", "100% sure\r\n", "a,b:c.txt", 1)
    assert github_annotation(d, "ignored") == (
        "::error file=a%2Cb%3Ac.txt,line=1,title=X%3A1%2C2::100%25 sure%0D%0A"
    )


def test_github_caps_annotations_and_counts_the_rest() -> None:
    many = [
        FileResult(f"f{i}.txt", INVALID, (Diagnostic("C101", "error", f"problem {i}", None, i),))
        for i in range(1, 26)
    ]
    lines = render_github(many, limit=10).splitlines()
    annotations = [line for line in lines if line.startswith("::")]
    assert len(annotations) == 10
    assert lines[10] == "f11.txt:11:0: ERROR C101 problem 11"  # the rest, as plain lines
    assert len(lines) == 10 + 15 + 1
    assert lines[-1].startswith("15 more problems not shown as annotations")


def test_github_step_summary_table() -> None:
    md = github_step_summary(RESULTS, "cablekit validate")
    assert md.startswith("### cablekit validate\n")
    assert "| valid | 2 |" in md and "| invalid | 1 |" in md and "| not checked | 1 |" in md
    rows = [line for line in md.splitlines() if line.startswith("| cables/")]
    assert rows == [
        "| cables/b.json | invalid | 2 | JSON-SCHEMA-required 'id' is a required property |",
        "| cables/c d.bin | not-checked | 1 | CK-BINARY binary data: \x00\x1b here |",
    ]
    cut = github_step_summary(RESULTS, rows=1)
    assert "1 more files with problems not listed." in cut


def _parse_xml(text: str) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    return etree.fromstring(text.encode("utf-8"), parser)


def test_junit_one_case_per_file_and_parses() -> None:
    root = _parse_xml(render_junit(RESULTS))
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "1", "1")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [r.path for r in RESULTS]
    assert len(cases[0]) == 0  # valid, nothing to say
    failure = cases[1].find("failure")
    assert failure is not None and failure.get("type") == "JSON-SCHEMA-required"
    assert "cables/b.json:3:5: ERROR JSON-SCHEMA-required" in (failure.text or "")
    error = cases[2].find("error")
    assert error is not None and error.get("type") == "CK-BINARY"
    # Characters XML cannot hold are written as escapes, not dropped or left to break it.
    assert "\\x00\\x1b" in (error.get("message") or "")
    out = cases[3].find("system-out")
    assert out is not None and "INFO T101" in (out.text or "")


def test_sarif_is_2_1_0_and_validates_against_the_schema_subset() -> None:
    import jsonschema

    doc = json.loads(render_sarif(RESULTS, "0.1.0"))
    jsonschema.validate(doc, SARIF_SUBSET)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    assert run["tool"]["driver"]["name"] == "cablekit"
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["JSON-SCHEMA-required", "C101", "CK-BINARY", "T101"]
    assert [r["level"] for r in results] == ["error", "warning", "error", "note"]
    rules = run["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    loc = results[0]["locations"][0]["physicalLocation"]
    assert loc == {
        "artifactLocation": {"uri": "cables/b.json"},
        "region": {"startLine": 3, "startColumn": 5},
    }
    assert results[0]["properties"]["pointer"] == "/layout/0"
    # No position: no region (startLine 0 is not allowed); spaces in paths are URI-encoded.
    assert "region" not in results[1]["locations"][0]["physicalLocation"]
    assert results[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "cables/c%20d.bin"
    )


def test_sarif_caps_results_per_run() -> None:
    many = [
        FileResult(f"f{i}.txt", INVALID, (Diagnostic("C101", "error", "x", None, 1),))
        for i in range(7)
    ]
    doc = json.loads(render_sarif(many, "0.1.0", max_results=5))
    jsonschema_validate = pytest.importorskip("jsonschema").validate
    jsonschema_validate(doc, SARIF_SUBSET)
    run = doc["runs"][0]
    assert len(run["results"]) == 5
    note = run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
    assert note.startswith("2 results not included")
    assert run["properties"]["omittedResults"] == 2


def test_renderers_are_deterministic() -> None:
    for fmt in ("text", "json", "github", "junit", "sarif"):
        assert render(fmt, RESULTS, "0.1.0") == render(fmt, list(RESULTS), "0.1.0")
    with pytest.raises(ValueError, match="unknown report format"):
        render("xml", RESULTS, "0.1.0")


def test_text_line_uses_the_file_path_when_the_diagnostic_has_none() -> None:
    d = Diagnostic("CK-IO", "error", "no such file")
    assert text_line(d, "x.txt") == "x.txt:0:0: ERROR CK-IO no such file"
