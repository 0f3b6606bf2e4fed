"""The canonical cable model: frozen, slotted dataclasses and nothing else.

A cable is its page metadata plus the telegram as an ordered tuple of parts. Every part keeps
its verbatim text (line endings, trailing blanks and all); the typed fields beside it are
normalized readings of that text, never a replacement for it. Concatenating the parts' text
gives back the telegram byte for byte. Blank lines belong to the part before them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

CLASSIFICATION_LEVELS = ("UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET")
PRECEDENCES = ("FLASH", "NIACT IMMEDIATE", "IMMEDIATE", "PRIORITY", "ROUTINE")


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """The publisher's table (or the seed form's metadata block) around the telegram.

    `layout` is the verbatim metadata block of the seed form; None when the metadata came
    from elsewhere (a web page's table, a CSV row), in which case writers render it.
    """

    identifier: str | None = None
    created: str | None = None  # verbatim, e.g. "2007-05-16 13:24:00"
    created_iso: datetime | None = None
    released: str | None = None
    released_iso: datetime | None = None
    classification: str | None = None
    origin: str | None = None
    title: str | None = None
    tags: tuple[str, ...] = ()
    references: tuple[str, ...] = ()  # the bulk CSV's reference column, when read from it
    layout: str | None = None


# --- the transmission envelope -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartOfMessage:
    """FL1: VZCZC + channel designator + channel serial (e.g. VZCZCXRO7044)."""

    kind: ClassVar[str] = "start-of-message"
    text: str
    channel: str | None = None
    serial: str | None = None


@dataclass(frozen=True, slots=True)
class RoutingLine:
    """FL2: precedence prosigns and the routing indicators of the receiving stations."""

    kind: ClassVar[str] = "routing"
    text: str
    precedence: str | None = None  # the prosign pair as written, e.g. "PP", "OO", "RR"
    action_precedence: str | None = None  # normalized name of the first letter
    info_precedence: str | None = None  # normalized name of the second letter
    routing_indicators: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OriginatorLine:
    """FL3, the DE line: originating RI, station serial, section, Julian filing time."""

    kind: ClassVar[str] = "originator"
    text: str
    routing_indicator: str | None = None
    station_serial: str | None = None  # as written, e.g. "0595"
    section: str | None = None  # e.g. "01"
    julian_day: int | None = None
    filing_time: str | None = None  # HHMM


@dataclass(frozen=True, slots=True)
class SecurityLine:
    """FL4: ZNY (classified) / ZNR (unclassified), classification characters, signals."""

    kind: ClassVar[str] = "security"
    text: str
    prosign: str | None = None  # ZNY | ZNR
    classification_chars: str | None = None  # e.g. "CCCCC"
    classification: str | None = None  # normalized level
    specat: str | None = None
    signals: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DateTimeGroup:
    """FL5: precedence letter(s) + DDHHMMZ MON YY."""

    kind: ClassVar[str] = "dtg"
    text: str
    precedence: str | None = None  # letters as written, e.g. "P", "OP"
    dtg: str | None = None  # the group as written, e.g. "161324Z MAY 07"
    sent: datetime | None = None  # UTC


@dataclass(frozen=True, slots=True)
class FromLine:
    """FM: the originator's plain-language address."""

    kind: ClassVar[str] = "from"
    text: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Addressee:
    """One TO / INFO / XMT line: RI/PLAD, precedence, message continuity number."""

    kind: ClassVar[str] = "addressee"
    text: str
    role: str = "to"  # to | info | xmt
    keyword: bool = False  # whether this line carries the TO/INFO/XMT keyword
    routing_indicator: str | None = None
    name: str | None = None
    precedence: str | None = None  # normalized (PIORITY -> PRIORITY)
    precedence_raw: str | None = None
    serial: str | None = None


@dataclass(frozen=True, slots=True)
class ProtocolLine:
    """Teletype protocol lines kept in older cables: BT, NNNN, ZFR, and the like."""

    kind: ClassVar[str] = "protocol"
    text: str
    signal: str | None = None


@dataclass(frozen=True, slots=True)
class ExtractNotice:
    """'This record is a partial extract of the original cable...'"""

    kind: ClassVar[str] = "extract-notice"
    text: str


# --- the body header -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Banner:
    """Classification banner: level, SECTION n OF m, message reference (station + serial)."""

    kind: ClassVar[str] = "banner"
    text: str
    classification: str | None = None
    section: int | None = None
    sections: int | None = None
    station: str | None = None  # as written, e.g. "BAKU", "USUN NEW YORK"
    serial: str | None = None  # as written, e.g. "000595"
    repeat: bool = False  # starts the header block printed again at the body's start


@dataclass(frozen=True, slots=True)
class Captions:
    """Handling and distribution captions: SIPDIS, NOFORN, EXDIS, ..."""

    kind: ClassVar[str] = "captions"
    text: str
    captions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PassingLine:
    """Free-form routing inside the building: DEPT FOR EUR/CARC, PASS TO ..."""

    kind: ClassVar[str] = "passing"
    text: str


@dataclass(frozen=True, slots=True)
class EOLine:
    """E.O. line: the order and the declassification instruction (raw kept).

    decl_kind: date | n/a | oadr | exemption | event | none.
    Older cables carry TAGS on the same line; they are read into `tags`.
    """

    kind: ClassVar[str] = "eo"
    text: str
    order: str | None = None
    decl: str | None = None  # verbatim instruction after DECL:
    decl_kind: str | None = None
    decl_date: date | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TagsLine:
    kind: ClassVar[str] = "tags"
    text: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SubjectLine:
    kind: ClassVar[str] = "subject"
    text: str
    marking: str | None = None  # portion marking, e.g. "C" for "(C)"
    subject: str | None = None  # unwrapped, without label and marking


@dataclass(frozen=True, slots=True)
class Reference:
    """One REF item. `label` is true on the line that carries REF:."""

    kind: ClassVar[str] = "reference"
    text: str
    letter: str | None = None
    raw: str | None = None  # the item without its letter, unwrapped
    cable_id: str | None = None
    captions: tuple[str, ...] = ()
    label: bool = False


@dataclass(frozen=True, slots=True)
class ClassifiedBy:
    kind: ClassVar[str] = "classified-by"
    text: str
    classifier: str | None = None  # title + name, as written
    authority: str | None = None  # "1.4" | "1.5" ...
    reasons: tuple[str, ...] = ()  # lower-case letters, e.g. ("b", "d")


# --- the body --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PageBreak:
    """A page or section break line: 'BAKU 00000595 002 OF 002' or 'PAGE 02 ROME ...'."""

    kind: ClassVar[str] = "page-break"
    text: str
    station: str | None = None
    serial: str | None = None
    page: int | None = None
    pages: int | None = None
    classification: str | None = None  # a page-end classification line taken with the break


@dataclass(frozen=True, slots=True)
class DateLine:
    """A weekday date line some published copies put before the banner."""

    kind: ClassVar[str] = "date-line"
    text: str
    when: datetime | None = None


@dataclass(frozen=True, slots=True)
class RecordDump:
    """A 'key: value' dump of the publisher's database row (id:, date:, refid:, ...)."""

    kind: ClassVar[str] = "record-dump"
    text: str
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Paragraph:
    """Body text: a numbered paragraph, or prose/heading lines between them.

    `content` is the verbatim text, with any page-break lines that interrupt it kept
    in place as PageBreak items.
    """

    kind: ClassVar[str] = "paragraph"
    content: tuple[str | PageBreak, ...]
    number: str | None = None  # as written, e.g. "1", "5"
    marking: str | None = None  # portion marking without parentheses, e.g. "C", "S/NF"
    section: str | None = None  # "summary" | "comment" when inside such a section

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.content)

    @property
    def page_breaks(self) -> tuple[PageBreak, ...]:
        return tuple(c for c in self.content if isinstance(c, PageBreak))


@dataclass(frozen=True, slots=True)
class Signature:
    kind: ClassVar[str] = "signature"
    text: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class ClassificationLine:
    """A bare classification repeated at a page end or the close: 'CONFIDENTIAL'."""

    kind: ClassVar[str] = "classification-line"
    text: str
    classification: str | None = None


@dataclass(frozen=True, slots=True)
class PublisherLine:
    """A line a publisher added to the text: '=====CABLE ENDS=====', '2002ROME03639 -
    Classification: CONFIDENTIAL', a stray quote or '>' left by an export."""

    kind: ClassVar[str] = "publisher-line"
    text: str


@dataclass(frozen=True, slots=True)
class Unrecognized:
    """Lines no rule recognized, verbatim and in order.

    zone: where they stood: envelope | header | body | trailer.
    """

    kind: ClassVar[str] = "unrecognized"
    text: str
    zone: str = "body"


Part = (
    StartOfMessage
    | RoutingLine
    | OriginatorLine
    | SecurityLine
    | DateTimeGroup
    | FromLine
    | Addressee
    | ProtocolLine
    | ExtractNotice
    | Banner
    | Captions
    | PassingLine
    | EOLine
    | TagsLine
    | SubjectLine
    | Reference
    | ClassifiedBy
    | PageBreak
    | DateLine
    | RecordDump
    | Paragraph
    | Signature
    | ClassificationLine
    | PublisherLine
    | Unrecognized
)

PART_TYPES: tuple[type, ...] = (
    StartOfMessage,
    RoutingLine,
    OriginatorLine,
    SecurityLine,
    DateTimeGroup,
    FromLine,
    Addressee,
    ProtocolLine,
    ExtractNotice,
    Banner,
    Captions,
    PassingLine,
    EOLine,
    TagsLine,
    SubjectLine,
    Reference,
    ClassifiedBy,
    PageBreak,
    DateLine,
    RecordDump,
    Paragraph,
    Signature,
    ClassificationLine,
    PublisherLine,
    Unrecognized,
)
PART_KINDS: dict[str, type] = {t.kind: t for t in PART_TYPES}  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Cable:
    """One cable: page metadata (if any) and the telegram's parts in order.

    The derived properties read the telegram first and fall back to the page metadata.
    """

    parts: tuple[Part, ...] = ()
    page: PageMetadata | None = None
    # Layout facts a byte-exact writer needs that belong to no part.
    final_newline: bool = True
    source_encoding: str = "utf-8"

    @property
    def telegram(self) -> str:
        return "".join(p.text for p in self.parts)

    def parts_of(self, kind: type) -> list[Part]:
        return [p for p in self.parts if isinstance(p, kind)]

    def _first(self, kind: type) -> Part | None:
        for p in self.parts:
            if isinstance(p, kind):
                return p
        return None

    @property
    def view(self) -> CableView:
        from cablekit.derive import derive

        return derive(self)

    # Convenience accessors for the view's fields.
    @property
    def id(self) -> str | None:
        return self.view.id

    @property
    def classification(self) -> str | None:
        return self.view.classification

    @property
    def caveats(self) -> tuple[str, ...]:
        return self.view.caveats

    @property
    def sent(self) -> datetime | None:
        return self.view.sent

    @property
    def origin(self) -> str | None:
        return self.view.origin

    @property
    def subject(self) -> str | None:
        return self.view.subject

    @property
    def tags(self) -> tuple[str, ...]:
        return self.view.tags

    @property
    def references(self) -> tuple[Reference, ...]:
        return tuple(p for p in self.parts if isinstance(p, Reference))

    @property
    def to(self) -> tuple[Addressee, ...]:
        return tuple(p for p in self.parts if isinstance(p, Addressee) and p.role == "to")

    @property
    def info(self) -> tuple[Addressee, ...]:
        return tuple(p for p in self.parts if isinstance(p, Addressee) and p.role == "info")

    @property
    def paragraphs(self) -> tuple[Paragraph, ...]:
        return tuple(p for p in self.parts if isinstance(p, Paragraph) and p.number is not None)

    @property
    def signature(self) -> str | None:
        return self.view.signature


@dataclass(frozen=True, slots=True)
class CableView:
    """The readable summary of a cable, derived from its parts and page metadata."""

    id: str | None
    classification: str | None
    caveats: tuple[str, ...]
    sent: datetime | None
    origin: str | None
    sender: str | None
    subject: str | None
    tags: tuple[str, ...]
    signature: str | None
    decl_date: date | None
    eo: str | None
