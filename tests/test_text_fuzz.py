"""Any text either reads as a cable that writes back byte for byte, or is refused with a
CablekitError: never another exception, never a changed character."""

from __future__ import annotations

import pytest

import cablekit

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# Lines that look like telegram parts, to reach deep into the grammar, mixed with noise.
PIECES = [
    "VZCZCXRO7044",
    "PP RUEHDBU",
    "DE RUEHKB #0595/01 1361324",
    "ZNY CCCCC ZZH",
    "P 161324Z MAY 07",
    "O P 011212Z AUG 06",
    "FM AMEMBASSY BAKU",
    "TO RUEHC/SECSTATE WASHDC PRIORITY 3017",
    "INFO RUCNCIS/CIS COLLECTIVE PIORITY",
    "RUEHAK/AMEMBASSY ANKARA PRIORITY 2137",
    "C O N F I D E N T I A L SECTION 01 OF 02 BAKU 000595 ",
    "CC O N F I D E N T I A L BAKU 000595SIPDIS",
    "UNCLAS",
    "SIPDIS",
    "DEPT FOR EUR/CARC",
    "E.O. 12958: DECL: 05/16/2017 TAGS: PREL",
    "E.O. 12958: N/A",
    "TAGS: PHUM PREL, ECON,",
    "SUBJECT: (C) DEMARCHE DELIVERED",
    "REF: A. BAKU 568 B. 07 STATE 61831 (NOTAL)",
    "(U) text after refs",
    "Classified By: Ambassador Anne E. Derse per 1.4 (b,d).",
    "1. (C) As reported ref a.",
    "2.(S//NF) Second.",
    "BAKU 00000595  002 OF 002",
    "PAGE 02 ROME 01196 01 OF 02 082030Z",
    "CONFIDENTIAL",
    "Cable dated:2006-01-30T13:38:00S E C R E T ANKARA 000331",
    "Monday, 26 July 2004, 07:22",
    "id: 14485",
    "----------------- header ends ----------------",
    "This record is a partial extract of the original cable.",
    "END COMMENT. DERSE",
    "DERSE",
    "=======================CABLE ENDS============================",
    "BT",
    "NNNN",
]
line = st.one_of(
    st.sampled_from(PIECES),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
)
ending = st.sampled_from(["\n", "\r\n", " \n", "\\\n", "\t\n", "\n\n"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(line, ending), max_size=30), st.booleans())
def test_round_trip_or_clear_error(lines: list[tuple[str, str]], final_newline: bool) -> None:
    text = "".join(a + b for a, b in lines)
    if not final_newline:
        text = text.rstrip("\n")
    try:
        cable = cablekit.loads(text.encode("utf-8"), "text")
    except cablekit.CablekitError as e:
        assert e.code.startswith("CK-")
        return
    assert cablekit.dumps(cable, "text") == text.encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_read_or_clear_error(data: bytes) -> None:
    try:
        cable = cablekit.loads(data)
    except cablekit.CablekitError as e:
        assert e.code and e.message
        return
    # What was read is a cable in full: it writes as text that reads back the same.
    assert cablekit.loads(cablekit.dumps(cable, "text"), "text").telegram == cable.telegram


@pytest.fixture(scope="module")
def seed_outputs(seed_bytes: bytes) -> dict[str, bytes]:
    cable = cablekit.loads(seed_bytes)
    return {fmt: cablekit.dumps(cable, fmt) for fmt in ("json", "tei", "text")}


@pytest.mark.parametrize("fmt", ["json", "tei", "text"])
def test_damaged_outputs_read_or_clear_error(fmt: str, seed_outputs: dict[str, bytes]) -> None:
    """Cut, flip and splice a valid output: the reader answers with a cable or a CablekitError."""

    @settings(max_examples=150, deadline=None)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        doc = bytearray(seed_outputs[fmt])
        for _ in range(data.draw(st.integers(1, 4))):
            at = data.draw(st.integers(0, len(doc) - 1))
            action = data.draw(st.sampled_from(["flip", "cut", "insert"]))
            if action == "flip":
                doc[at] = data.draw(st.integers(0, 255))
            elif action == "cut":
                del doc[at : at + data.draw(st.integers(1, 200))]
            else:
                doc[at:at] = data.draw(st.sampled_from([b"<", b"&", b'"', b"{", b"\x00", b"]]>"]))
        try:
            cable = cablekit.loads(bytes(doc), fmt)
        except cablekit.CablekitError as e:
            assert e.code and e.message
            return
        # A damaged document that still reads must give a cable its format writes and reads.
        assert cablekit.loads(cablekit.dumps(cable, fmt), fmt) == cable

    check()
