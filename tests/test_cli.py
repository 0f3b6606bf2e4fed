"""The installed `cablekit` command, run as a subprocess: conversions, reports, bad inputs,
exit codes (0 all good, 1 something invalid or unreadable, 2 usage or internal failure)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

import cablekit
from cablekit.formats import available

SCRIPT = Path(sys.executable).parent / "cablekit"
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "cablekit.cli"]
TEXT_LINE = re.compile(r"^.+:\d+:\d+: (ERROR|WARNING|INFO) [A-Za-z][\w-]* .+$")
GITHUB_LINE = re.compile(
    r"^::(error|warning|notice) file=[^,:]+(,line=\d+(,col=\d+)?)?,title=[^,:]+::.*$"
)


def run(
    *args: object,
    cwd: Path | None = None,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run the command; whatever happens, it never prints a traceback."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    full.update(env or {})
    proc = subprocess.run(
        [*COMMAND, *map(str, args)],
        cwd=cwd,
        input=stdin if stdin is not None else b"",
        env=full,
        capture_output=True,
        timeout=300,
    )
    assert b"Traceback" not in proc.stderr + proc.stdout, proc.stderr.decode()
    return proc


def needs(fmt: str) -> None:
    if fmt not in available():
        pytest.skip(f"the {fmt} converter (converters/{fmt}.py) is not in this tree yet")


def ledger(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- basics -------------------------------------------------------------------------------


def test_version_and_the_installed_script() -> None:
    assert SCRIPT.exists(), f"the cablekit script is not installed beside {sys.executable}"
    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.decode().strip() == f"cablekit {cablekit.__version__}"


def test_readme_first_command_copies_the_seed_byte_for_byte(
    tmp_path: Path, seed_path: Path, seed_bytes: bytes
) -> None:
    proc = run("convert", seed_path, "-t", "text", "-o", "out/", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    out = tmp_path / "out" / "07BAKU595.txt"
    assert out.read_bytes() == seed_bytes
    [entry] = ledger(tmp_path / "out" / "cablekit.ledger.jsonl")
    assert entry["event"] == "migration" and entry["verdict"] == "converted"
    assert entry["input"] == str(seed_path) and entry["output"] == "out/07BAKU595.txt"
    assert entry["input_sha256"] == entry["output_sha256"] == sha(seed_bytes)
    assert entry["tool"] == f"cablekit {cablekit.__version__}"
    assert str(entry["schemas"]).startswith("sha256:")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", str(entry["time"]))
    assert "converted 1 of 1 cables to text" in proc.stderr.decode()


@pytest.mark.parametrize("fmt", ["json", "tei"])
def test_seed_converts_validates_and_comes_back(
    fmt: str, tmp_path: Path, seed_path: Path, seed_bytes: bytes
) -> None:
    needs(fmt)
    proc = run("convert", seed_path, "-t", fmt, "-o", tmp_path / "a")
    assert proc.returncode == 0, proc.stderr.decode()
    [written] = [p for p in (tmp_path / "a").iterdir() if p.name != "cablekit.ledger.jsonl"]
    assert written.name == "07BAKU595." + {"json": "json", "tei": "xml"}[fmt]
    check = run("validate", written)
    assert check.returncode == 0, check.stdout.decode() + check.stderr.decode()
    back = run("convert", written, "-t", "text", "-o", tmp_path / "b")
    assert back.returncode == 0, back.stderr.decode()
    assert (tmp_path / "b" / "07BAKU595.txt").read_bytes() == seed_bytes


def test_standard_input_and_output(seed_bytes: bytes) -> None:
    proc = run("convert", "-", "-t", "text", stdin=seed_bytes)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout == seed_bytes
    checked = run("validate", "-", "--no-rules", stdin=seed_bytes)
    assert checked.returncode == 0 and checked.stdout == b""
    assert "1 file: 1 valid" in checked.stderr.decode()


def test_files_from_a_nul_separated_list(tmp_path: Path, seed_bytes: bytes) -> None:
    odd = tmp_path / "in" / "a name\nwith a newline.txt"
    odd.parent.mkdir()
    odd.write_bytes(seed_bytes)
    (tmp_path / "in" / "plain.txt").write_bytes(seed_bytes)
    (tmp_path / "list").write_bytes(f"{odd}\0{tmp_path / 'in' / 'plain.txt'}\0".encode())
    proc = run(
        "convert", "--files-from", tmp_path / "list", "-0", "-t", "text", "-o", tmp_path / "o"
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [
        "a name\nwith a newline.txt",
        "cablekit.ledger.jsonl",
        "plain.txt",
    ]


def test_the_output_tree_mirrors_the_input_tree(tmp_path: Path, seed_bytes: bytes) -> None:
    for rel in ("2007/baku/a.txt", "2007/b.txt", "c.txt"):
        (tmp_path / "in" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "in" / rel).write_bytes(seed_bytes)
    proc = run("convert", tmp_path / "in", "-t", "text", "-o", tmp_path / "out", "-j", "2")
    assert proc.returncode == 0, proc.stderr.decode()
    found = sorted(
        p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*")
    )
    assert found == [
        "2007",
        "2007/b.txt",
        "2007/baku",
        "2007/baku/a.txt",
        "c.txt",
        "cablekit.ledger.jsonl",
    ]


def test_inputs_are_never_modified(tmp_path: Path, seed_bytes: bytes) -> None:
    src = tmp_path / "a.txt"
    src.write_bytes(seed_bytes)
    before = src.stat()
    proc = run("convert", src, "-t", "text", "-o", tmp_path)
    assert proc.returncode == 2
    assert "would overwrite the input" in proc.stderr.decode()
    after = src.stat()
    assert src.read_bytes() == seed_bytes
    assert (before.st_mtime_ns, before.st_ino) == (after.st_mtime_ns, after.st_ino)


# --- bad inputs ---------------------------------------------------------------------------


def _bad(tmp_path: Path) -> dict[str, Path]:
    files = {
        "binary": tmp_path / "bin.txt",
        "json": tmp_path / "broken.json",
        "xml": tmp_path / "broken.xml",
    }
    files["binary"].write_bytes(bytes(range(256)) * 8)
    files["json"].write_bytes(b'{"format": "cablekit-cable",\n  "version": ')
    files["xml"].write_bytes(
        b'<?xml version="1.0"?>\n<TEI xmlns="http://www.tei-c.org/ns/1.0">\n<teiHeader>'
    )
    return files


def test_missing_file_is_reported_not_checked(tmp_path: Path) -> None:
    proc = run("validate", tmp_path / "nope.txt")
    assert proc.returncode == 1
    assert (
        proc.stdout.decode() == f"{tmp_path}/nope.txt:0:0: ERROR CK-IO no such file or directory\n"
    )
    assert "0 valid, 0 invalid, 1 not checked" in proc.stderr.decode()


def test_folder_without_cables_is_not_a_pass(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("no cables here")
    proc = run("validate", tmp_path)
    assert proc.returncode == 1
    assert (
        f"{tmp_path}:0:0: ERROR CK-NO-INPUT no cable files in this folder" in proc.stdout.decode()
    )
    conv = run("convert", tmp_path, "-t", "json", "-o", tmp_path / "o")
    assert conv.returncode == 1
    assert "CK-NO-INPUT" in conv.stderr.decode()


def test_binary_file_is_not_checked(tmp_path: Path) -> None:
    path = _bad(tmp_path)["binary"]
    proc = run("validate", path, "--format", "json")
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    [f] = doc["files"]
    assert (f["path"], f["verdict"]) == (str(path), "not-checked")
    assert f["diagnostics"][0]["code"] == "CK-BINARY"
    assert f["sha256"] == sha(path.read_bytes())


def test_broken_json_is_invalid_with_its_position(tmp_path: Path) -> None:
    needs("json")
    path = _bad(tmp_path)["json"]
    proc = run("validate", path)
    assert proc.returncode == 1
    lines = proc.stdout.decode().splitlines()
    assert lines and all(TEXT_LINE.match(line) for line in lines), lines
    assert re.match(rf"^{re.escape(str(path))}:2:\d+: ERROR ", lines[0]), lines
    conv = run("convert", path, "-t", "text", "-o", tmp_path / "o")
    assert conv.returncode == 1
    assert re.search(rf"^  {re.escape(str(path))}:2: \S+ ", conv.stderr.decode(), re.M)
    assert "1 failed" in conv.stderr.decode()
    assert not (tmp_path / "o" / "broken.txt").exists()


def test_broken_xml_is_never_valid(tmp_path: Path) -> None:
    path = _bad(tmp_path)["xml"]
    proc = run("validate", path, "--format", "json")
    assert proc.returncode == 1
    [f] = json.loads(proc.stdout)["files"]
    assert f["verdict"] in ("invalid", "not-checked")
    if "tei" in available():
        assert f["verdict"] == "invalid"
        assert f["diagnostics"][0]["line"] is not None  # where the XML breaks
    else:  # no TEI reader installed: cannot be checked, and says so
        assert f["diagnostics"][0]["code"] == "CK-FORMAT"


def test_csv_with_a_malformed_record_goes_on(tmp_path: Path, seed_path: Path) -> None:
    needs("json")
    telegram = cablekit.read(seed_path).telegram
    header, _, content = telegram.partition("\n")

    def field(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def record(row: int, cid: str) -> str:
        values = [str(row), "5/16/2007 13:24", cid, "Embassy Baku", "CONFIDENTIAL", ""]
        return ",".join(field(v) for v in [*values, header, content]) + "\n"

    good1, good2 = record(1, "07BAKU595"), record(3, "07BAKU596")
    broken = '"2","5/16/2007 13:24","07BAKU999","Embassy Baku","x" stray,"","h","c"\n'
    (tmp_path / "cables.csv").write_text(good1 + broken + good2)
    broken_line = good1.count("\n") + 1
    proc = run("convert", tmp_path / "cables.csv", "-t", "json", "-o", tmp_path / "o")
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert f"{tmp_path}/cables.csv:{broken_line}:0: ERROR CK-INPUT malformed record" in err
    assert "converted 2 of 3 cables" in err
    assert sorted(p.name for p in (tmp_path / "o").glob("*.json")) == [
        "07BAKU595.json",
        "07BAKU596.json",
    ]
    entries = ledger(tmp_path / "o" / "cablekit.ledger.jsonl")
    assert [(e.get("record") or {}).get("line") for e in entries] == [1, None, broken_line + 1]
    assert [e["verdict"] for e in entries] == ["converted", "failed", "converted"]
    check = run("validate", tmp_path / "cables.csv", "--no-rules", "--format", "json")
    assert check.returncode == 1
    [f] = json.loads(check.stdout)["files"]
    assert (f["verdict"], f["cables"]) == ("invalid", 2)


# --- reports ------------------------------------------------------------------------------


def _mixed(tmp_path: Path, seed_bytes: bytes) -> list[Path]:
    good = tmp_path / "good.txt"
    good.write_bytes(seed_bytes)
    bad = _bad(tmp_path)
    return [good, bad["binary"], tmp_path / "missing.txt"]


def test_one_run_writes_every_report(tmp_path: Path, seed_bytes: bytes) -> None:
    inputs = _mixed(tmp_path, seed_bytes)
    r = tmp_path / "reports"
    proc = run(
        "validate",
        *inputs,
        "--no-rules",
        "--format",
        "json",
        *("--report", f"text:{r}/out.txt"),
        *("--report", f"junit:{r}/junit.xml"),
        *("--report", f"sarif:{r}/out.sarif"),
        *("--report", f"github:{r}/gh.txt"),
    )
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert doc["version"] == 1 and doc["summary"]["files"] == 3
    verdicts = {f["path"]: f["verdict"] for f in doc["files"]}
    assert verdicts == {
        str(inputs[0]): "valid",
        str(inputs[1]): "not-checked",
        str(inputs[2]): "not-checked",
    }
    text = (r / "out.txt").read_text().splitlines()
    assert len(text) == 2 and all(TEXT_LINE.match(line) for line in text)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    junit = etree.parse(str(r / "junit.xml"), parser).getroot()
    cases = junit.findall("testsuite/testcase")
    assert [c.get("name") for c in cases] == [f["path"] for f in doc["files"]]
    assert [len(c.findall("error")) for c in cases] == [0, 1, 1]
    sarif = json.loads((r / "out.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["$schema"].endswith("sarif-2.1.0.json")
    assert [res["ruleId"] for res in sarif["runs"][0]["results"]] == ["CK-IO", "CK-BINARY"][::-1]
    gh = (r / "gh.txt").read_text().splitlines()
    assert len(gh) == 2 and all(GITHUB_LINE.match(line) for line in gh), gh


def test_convert_reports_one_case_per_input(tmp_path: Path, seed_bytes: bytes) -> None:
    inputs = _mixed(tmp_path, seed_bytes)
    junit = tmp_path / "junit.xml"
    proc = run("convert", *inputs, "-t", "text", "-o", tmp_path / "o", "--report", f"junit:{junit}")
    assert proc.returncode == 1
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    cases = etree.parse(str(junit), parser).getroot().findall("testsuite/testcase")
    assert [c.get("name") for c in cases] == [str(p) for p in inputs]
    assert [len(c) for c in cases] == [0, 1, 1]  # the converted one passes


def test_summary_names_files_when_problems_go_to_a_report(
    tmp_path: Path, seed_bytes: bytes
) -> None:
    inputs = _mixed(tmp_path, seed_bytes)
    proc = run("validate", *inputs, "--no-rules", "--format", "sarif")
    assert proc.returncode == 1
    err = proc.stderr.decode().splitlines()
    assert err[1:] == [
        f"  {inputs[1]}: not-checked (CK-BINARY)",
        f"  {inputs[2]}: not-checked (CK-IO)",
    ]


def test_github_format_is_automatic_under_actions(tmp_path: Path, seed_bytes: bytes) -> None:
    inputs = _mixed(tmp_path, seed_bytes)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    proc = run(
        "validate",
        *inputs,
        "--no-rules",
        env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert proc.returncode == 1
    lines = proc.stdout.decode().splitlines()
    assert len(lines) == 2 and all(GITHUB_LINE.match(line) for line in lines), lines
    assert lines[0].startswith(f"::error file={inputs[1]},title=CK-BINARY::")
    md = summary.read_text()
    assert md.startswith("earlier step\n### cablekit validate\n")  # appended, not replaced
    assert "| not checked | 2 |" in md and "| valid | 1 |" in md


def test_exit_zero_and_fail_fast(tmp_path: Path, seed_bytes: bytes) -> None:
    bad = _bad(tmp_path)["binary"]
    good = tmp_path / "good.txt"
    good.write_bytes(seed_bytes)
    assert run("validate", bad, good, "--no-rules").returncode == 1
    assert run("validate", bad, good, "--no-rules", "--exit-zero").returncode == 0
    fast = run("validate", bad, good, "--no-rules", "--fail-fast", "-j", "1")
    assert fast.returncode == 1
    assert "1 file: 0 valid" in fast.stderr.decode()
    assert "--fail-fast" in fast.stderr.decode()
    conv = run("convert", bad, good, "-t", "text", "-o", tmp_path / "o", "--fail-fast", "-j", "1")
    assert conv.returncode == 1
    assert len(ledger(tmp_path / "o" / "cablekit.ledger.jsonl")) == 1
    assert not (tmp_path / "o" / "good.txt").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["convert", "x.txt", "--bogus"], "No such option"),
        (["convert", "x.txt", "-o", "o"], "-t/--to is required"),
        (["convert", "x.txt", "-t", "html", "-o", "o"], "cannot write format 'html'"),
        (["convert", "x.txt", "-t", "text", "-f", "pdf", "-o", "o"], "unknown format 'pdf'"),
        (["validate", "x.txt", "--report", "xml:r.xml"], "expected FORMAT:PATH"),
        (["validate", "x.txt", "--format", "yaml"], "--format 'yaml'"),
        (["validate", "x.txt", "--select", "ZZ9"], "no rule matches 'ZZ9'"),
        (["convert", "-t", "text", "-o", "o"], "no inputs"),
        (["convert", "x.txt", "-t", "text", "-j", "-1", "-o", "o"], "positive"),
        (["schema", "xsd"], "unknown schema 'xsd'"),
        (["convert", "x.txt", "-t", "text", "-o", "x.txt"], "x.txt: not a folder"),
        (["validate", "-", "--files-from", "-"], "cannot be both"),
    ],
)
def test_usage_errors_exit_2(
    args: list[str], message: str, tmp_path: Path, seed_bytes: bytes
) -> None:
    (tmp_path / "x.txt").write_bytes(seed_bytes)
    proc = run(*args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr.decode()
    assert message in proc.stderr.decode()
    assert not (tmp_path / "o").exists()


def test_progress_bar_only_on_a_terminal(tmp_path: Path, seed_bytes: bytes) -> None:
    import pty

    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        (src / f"c{i}.txt").write_bytes(seed_bytes)
    piped = run("convert", src, "-t", "text", "-o", tmp_path / "o1")
    assert piped.returncode == 0
    assert b"\x1b[" not in piped.stderr
    main, secondary = pty.openpty()
    try:
        proc = subprocess.run(
            [*COMMAND, "convert", str(src), "-t", "text", "-o", str(tmp_path / "o2")],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=secondary,
            timeout=120,
        )
        os.close(secondary)
        seen = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(main)
    assert proc.returncode == 0
    assert b"\x1b[" in seen  # the bar was drawn (and cleared) on the terminal
    assert b"converted 3 of 3 cables" in seen


def test_results_stay_on_standard_output_under_a_progress_bar(
    tmp_path: Path, seed_bytes: bytes
) -> None:
    import pty

    inputs = _mixed(tmp_path, seed_bytes)
    main, secondary = pty.openpty()
    try:
        proc = subprocess.run(
            [*COMMAND, "validate", *map(str, inputs), "--no-rules", "--progress"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=secondary,
            timeout=120,
        )
        os.close(secondary)
        seen = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(main)
    assert proc.returncode == 1
    lines = proc.stdout.decode().splitlines()
    assert [line.split(":")[0] for line in lines] == [str(inputs[1]), str(inputs[2])]
    assert b"ERROR" not in seen and b"1 valid, 0 invalid, 2 not checked" in seen


# --- resume and jsonl ---------------------------------------------------------------------


def test_resume_skips_what_the_ledger_verifies(tmp_path: Path, seed_bytes: bytes) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for i in range(4):
        (src / f"c{i}.txt").write_bytes(seed_bytes)
    out = tmp_path / "out"
    assert run("convert", src, "-t", "text", "-o", out).returncode == 0
    changed = seed_bytes.replace(b"DERSE", b"DERSE\n")
    (src / "c1.txt").write_bytes(changed)  # a new version of one input
    (out / "c2.txt").write_bytes(b"tampered")  # an output changed since
    proc = run("convert", src, "-t", "text", "-o", out, "--resume")
    assert proc.returncode == 0, proc.stderr.decode()
    assert "2 already done (ledger)" in proc.stderr.decode()
    assert (out / "c1.txt").read_bytes() == changed
    assert (out / "c2.txt").read_bytes() == seed_bytes
    entries = ledger(out / "cablekit.ledger.jsonl")
    assert [Path(str(e["input"])).name for e in entries] == [
        "c0.txt",
        "c1.txt",
        "c2.txt",
        "c3.txt",
        "c1.txt",
        "c2.txt",
    ]
    # Another target format is other work: nothing to skip.
    other = run("convert", src, "-t", "text", "-o", out, "--resume", "--ledger", tmp_path / "l")
    assert "already done" not in other.stderr.decode()


def test_jsonl_is_one_file_of_many_lines(tmp_path: Path, seed_bytes: bytes) -> None:
    needs("jsonl")
    for i in range(3):
        (tmp_path / f"c{i}.txt").write_bytes(seed_bytes)
    out = tmp_path / "o" / "all.jsonl"
    proc = run("convert", tmp_path, "-t", "jsonl", "-o", out, "--exclude", "o")
    assert proc.returncode == 0, proc.stderr.decode()
    lines = out.read_bytes().splitlines(keepends=True)
    assert len(lines) == 3
    entries = ledger(tmp_path / "o" / "cablekit.ledger.jsonl")
    assert [e["output_line"] for e in entries] == [1, 2, 3]
    assert all(e["output_sha256"] == sha(lines[i]) for i, e in enumerate(entries))
    assert run("validate", out).returncode == 0
    piped = run("convert", tmp_path / "c0.txt", tmp_path / "c1.txt", "-t", "jsonl")
    assert piped.returncode == 0 and piped.stdout == lines[0] + lines[1]
    # Back to one file per cable: three copies of one cable would take one name.
    back = run("convert", out, "-t", "text", "-o", tmp_path / "back")
    assert back.returncode == 2
    assert f"back/07BAKU595.txt <- {out}:1, {out}:2, {out}:3" in back.stderr.decode()
    assert not (tmp_path / "back").exists()


def test_jsonl_lines_convert_one_by_one(tmp_path: Path, seed_bytes: bytes) -> None:
    needs("jsonl")
    line = run("convert", "-", "-t", "jsonl", stdin=seed_bytes).stdout
    source = tmp_path / "in.jsonl"
    source.write_bytes(line + b"\n" + b'{"format": "cablekit-cable", "version": \n')
    proc = run("convert", source, "-t", "text", "-o", tmp_path / "o")
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert f"{source}:2:0: ERROR CK-JSONL-BLANK-LINE blank line" in err
    assert re.search(rf"^{re.escape(str(source))}:3:\d+: ERROR ", err, re.M), err
    assert (tmp_path / "o" / "07BAKU595.txt").read_bytes() == seed_bytes
    entries = ledger(tmp_path / "o" / "cablekit.ledger.jsonl")
    assert [(e.get("record") or {}).get("line") for e in entries] == [1, None, 3]


# --- inspect, schema, formats -------------------------------------------------------------


def test_inspect_summarizes_one_cable(seed_path: Path) -> None:
    proc = run("inspect", seed_path)
    assert proc.returncode == 0, proc.stderr.decode()
    rows = dict(re.split(r"\s{2,}", line, maxsplit=1) for line in proc.stdout.decode().splitlines())
    cable = cablekit.read(seed_path)
    assert rows["id"] == "07BAKU595" == cable.id
    assert rows["classification"] == "CONFIDENTIAL"
    assert rows["sent"] == "2007-05-16 13:24 UTC"
    assert rows["subject"] == cable.subject
    assert rows["tags"] == ", ".join(cable.tags)
    assert rows["sha256"] == sha(seed_path.read_bytes())
    missing = run("inspect", seed_path.parent / "nope.txt")
    assert missing.returncode == 1 and b"CK-IO" in missing.stderr


@pytest.mark.parametrize(
    "name, file",
    [("json", "cable.schema.json"), ("tei-rng", "cable-tei.rng"), ("tei-sch", "cable-tei.sch")],
)
def test_schema_prints_the_bundled_file(name: str, file: str) -> None:
    from importlib import resources

    bundled = resources.files("cablekit.schemas").joinpath(file)
    proc = run("schema", name)
    if not bundled.is_file():
        assert proc.returncode == 2
        assert "is not part of this installation" in proc.stderr.decode()
        pytest.skip(f"{file} is not in schemas/ yet")
    assert proc.returncode == 0
    assert proc.stdout == bundled.read_bytes()


def test_formats_lists_the_registry() -> None:
    from cablekit.formats import FORMATS

    proc = run("formats")
    assert proc.returncode == 0
    rows = [line.split() for line in proc.stdout.decode().splitlines()[1:]]
    assert [r[0] for r in rows] == list(FORMATS)
    installed = set(available())
    assert {r[0] for r in rows if r[3] == "yes"} == installed


def test_outputs_are_deterministic(tmp_path: Path, seed_path: Path) -> None:
    fmt = "json" if "json" in available() else "text"
    for name in ("a", "b"):
        assert run("convert", seed_path, "-t", fmt, "-o", tmp_path / name).returncode == 0
    a = sorted((tmp_path / "a").glob("07BAKU595.*"))
    b = sorted((tmp_path / "b").glob("07BAKU595.*"))
    assert a and [p.read_bytes() for p in a] == [p.read_bytes() for p in b]


# --- several output formats from one reading ------------------------------------------------


def test_several_formats_write_one_file_each_from_one_reading(
    tmp_path: Path, seed_bytes: bytes
) -> None:
    needs("json")
    needs("tei")
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        (src / f"c{i}.txt").write_bytes(seed_bytes)
    (src / "bad.txt").write_bytes(b"\x00\x01binary")
    both = run("convert", src, "-t", "json", "-t", "tei", "-o", tmp_path / "both", "-j", "2")
    assert both.returncode == 1, both.stderr.decode()
    err = both.stderr.decode()
    assert "converted 3 of 4 cables to json, tei" in err
    # The input that failed as a whole is reported once, not once per format.
    assert err.count("CK-BINARY") == 2  # its line, and its place in the summary
    # Same bytes as one format at a time, one ledger line per output.
    for fmt, suffix in (("json", ".json"), ("tei", ".xml")):
        alone = run("convert", src, "-t", fmt, "-o", tmp_path / fmt)
        assert alone.returncode == 1
        for i in range(3):
            name = f"c{i}{suffix}"
            assert (tmp_path / "both" / name).read_bytes() == (tmp_path / fmt / name).read_bytes()
    entries = ledger(tmp_path / "both" / "cablekit.ledger.jsonl")
    assert [(Path(str(e["input"])).name, e["to"], e["verdict"]) for e in entries] == [
        ("bad.txt", "json", "failed"),
        ("bad.txt", "tei", "failed"),
        *[(f"c{i}.txt", fmt, "converted") for i in range(3) for fmt in ("json", "tei")],
    ]
    for e in entries[2:]:
        assert sha(Path(str(e["output"])).read_bytes()) == e["output_sha256"]
    comma = run("convert", src / "c0.txt", "-t", "json,tei", "-o", tmp_path / "comma")
    assert comma.returncode == 0, comma.stderr.decode()
    assert sorted(p.name for p in (tmp_path / "comma").iterdir()) == [
        "c0.json",
        "c0.xml",
        "cablekit.ledger.jsonl",
    ]


def test_several_formats_resume_each_format_on_its_own(tmp_path: Path, seed_bytes: bytes) -> None:
    needs("json")
    needs("tei")
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        (src / f"c{i}.txt").write_bytes(seed_bytes)
    out = tmp_path / "out"
    assert run("convert", src, "-t", "json", "-o", out).returncode == 0
    (out / "c1.json").write_bytes(b"tampered")
    proc = run("convert", src, "-t", "json", "-t", "tei", "-o", out, "--resume")
    assert proc.returncode == 0, proc.stderr.decode()
    # No input had both outputs already: none counts as done, but the two JSON files the
    # ledger vouches for were not redone (their lines are the first run's).
    assert "already done" not in proc.stderr.decode()
    entries = ledger(out / "cablekit.ledger.jsonl")[3:]
    assert [(Path(str(e["input"])).name, e["to"]) for e in entries] == [
        ("c0.txt", "tei"),
        ("c1.txt", "json"),
        ("c1.txt", "tei"),
        ("c2.txt", "tei"),
    ]
    assert sha((out / "c1.json").read_bytes()) == entries[1]["output_sha256"]
    again = run("convert", src, "-t", "json", "-t", "tei", "-o", out, "--resume")
    assert "3 already done (ledger)" in again.stderr.decode()


@pytest.mark.parametrize(
    ("to", "output", "message"),
    [
        (["json", "tei"], None, "give -o OUTDIR"),
        (["json", "jsonl"], "o", "cannot be combined"),
        (["json,json"], "o", "named twice"),
        (["json,pdf"], "o", "cannot write format 'pdf'"),
    ],
)
def test_several_formats_that_cannot_go_together_are_usage_errors(
    tmp_path: Path, seed_path: Path, to: list[str], output: str | None, message: str
) -> None:
    needs("json")
    args: list[object] = ["convert", seed_path]
    for t in to:
        args += ["-t", t]
    if output:
        args += ["-o", tmp_path / output]
    proc = run(*args)
    assert proc.returncode == 2 and message in proc.stderr.decode(), proc.stderr.decode()
    assert proc.stdout == b"" and not (tmp_path / "o").exists()
