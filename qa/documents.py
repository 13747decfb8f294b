"""Statements: the records, the parser, and loading a corpus folder.

The parser is a pure function from a file's text (plus optional supplied
metadata) to a `Document`. Paragraph rule, in full in docs/corpus-formats.md:

* The layout is decided per document from its own lines (`layout`): blank-line
  paragraphs, one paragraph per line, or a narrow hard-wrapped column without
  blank lines (a paragraph ends where a line finishing a sentence stops short
  of the column and the next starts one). Page furniture (page numbers, UN job
  numbers and record symbols) goes, so a paragraph cut by a page break is whole.
* A document that prints its own paragraph numbers consistently is cited by
  them (`Document.numbers`); otherwise body paragraphs are numbered from 1.
* Never paragraphs, wherever they stand: the OSCE Secretariat's disclaimer;
  lines that are only a document symbol, a date or a language note; the
  header block before the body (delegation line, emphasised title/speaker
  block, plain header lines without sentence punctuation); an alignment
  clause ("... align themselves with this statement": kept in `notes`, its
  countries in `aligned`).
* Lines of one paragraph are rejoined. A blank line ends a paragraph unless
  the text before it stops mid-sentence and the text after it continues it
  (PDF text that puts a blank line after every wrapped line).
* Markdown emphasis markers are removed from the text.

Reading files of each format is qa/formats.py; sidecars and the collection
manifest (metadata from outside the text) are qa/collection.py.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

PARSER_VERSION = 7
TEXT_SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")
SIDECAR_SUFFIX = ".meta.json"
META_KEYS = ("id", "date", "delegation", "speaker", "meeting", "title", "language", "delivered", "aliases")


class CorpusError(Exception):
    """A problem with one corpus file; the message names the file."""


@dataclass
class Document:
    id: str
    source: str
    paragraphs: list[str]
    date: str | None = None          # ISO 8601: the document's own date
    delivered: str | None = None     # ISO 8601: date of delivery, if printed separately
    delegation: str | None = None
    speaker: str | None = None
    meeting: str | None = None
    title: str | None = None
    language: str | None = None      # original language, where printed
    notes: list[str] = field(default_factory=list)  # e.g. alignment footnote
    # Countries that align themselves with the statement (an EU statement's closing clause,
    # kept in `notes` word for word); canonical names as in qa/delegations.py.
    aligned: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)  # other ids it is known by: its file name, a sidecar's "aliases"
    # The numbers the document prints for its paragraphs (UN records: 176, 177, ...), one per
    # paragraph, strictly increasing; empty when it prints none and paragraphs count from 1.
    # Citations, `qa show`, chunks and evaluation all use these labels.
    numbers: list[int] = field(default_factory=list)

    def labels(self) -> list[int]:
        """The paragraph numbers a citation uses, in reading order."""
        return list(self.numbers) if self.numbers else list(range(1, len(self.paragraphs) + 1))

    def paragraph(self, label: int) -> str:
        """The paragraph the document calls `label`; KeyError if it has none by that number."""
        if not self.numbers:
            if 1 <= label <= len(self.paragraphs):
                return self.paragraphs[label - 1]
            raise KeyError(label)
        import bisect
        i = bisect.bisect_left(self.numbers, label)
        if i < len(self.numbers) and self.numbers[i] == label:
            return self.paragraphs[i]
        raise KeyError(label)

    def has_paragraph(self, label: int) -> bool:
        try:
            self.paragraph(label)
            return True
        except KeyError:
            return False

    def label_range(self) -> str:
        """'1–12' (or '176–190'): the paragraph numbers it has, for messages."""
        labels = self.labels()
        return f"{labels[0]}–{labels[-1]}" if labels else "none"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Document":
        return cls(**d)


# --- patterns -------------------------------------------------------------

# OSCE document symbols: PC.DEL/64/21, PC.DEL/80/21/Rev.1, PC.JOUR/1299,
# HDIM.DEL/0345/11, MC.DEL/12/22, FSC.DEL/50/20/Corr.1, SEC.GAL/3/21/Add.2
SYMBOL_RE = re.compile(
    r"\b[A-Z]{2,8}(?:\.[A-Z]{2,8})+/\d{1,5}(?:/\d{2,4})?(?:/(?:Rev|Corr|Add)\.\s?\d{1,2})*(?![\w/])"
)
_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
DATE_DMY_RE = re.compile(rf"\b(\d{{1,2}})\s+{_MONTH}\s+(\d{{4}})\b", re.I)
DATE_MDY_RE = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.I)
DISCLAIMER_RE = re.compile(
    r"The\s+OSCE\s+Secretariat\s+bears\s+no\s+responsibility.*?participating\s+States\.", re.S | re.I)
LANGUAGES = ("english", "russian", "french", "german", "italian", "spanish")
LANGUAGE_LINE_RE = re.compile(
    rf"^(?:original\s*:\s*)?(?:{'|'.join(LANGUAGES)})(?:\s*(?:only|/|and|,)\s*(?:{'|'.join(LANGUAGES)})?)*\s*$",
    re.I)
DELEGATION_LINE_RE = re.compile(r"^(?:Delegation|Mission|Permanent Mission) of (?:the )?(.+)$", re.I)
PAGE_NUMBER_RE = re.compile(r"-\s*\d{1,3}\s*-|(?:page\s+)?\d{1,3}(?:\s+of\s+\d{1,3})?", re.I)
ALIGNMENT_RE = re.compile(r"align(?:s)? (?:themselves|itself) with this statement", re.I)
TERMINAL = tuple('.!?:;"\')]»”’…')
SALUTATION_MAX_CHARS = 60


def find_symbol(text: str) -> str | None:
    m = SYMBOL_RE.search(text)
    return re.sub(r"\.\s+(\d)", r".\1", m.group(0)) if m else None


def parse_date(text: str) -> str | None:
    """First date in `text` as ISO 8601, or None ("22 January 2021", "April 7, 2016")."""
    best = None
    for rx, order in ((DATE_DMY_RE, "dmy"), (DATE_MDY_RE, "mdy")):
        m = rx.search(text)
        if not m:
            continue
        if order == "dmy":
            d, mon, y = m.group(1), m.group(2), m.group(3)
        else:
            mon, d, y = m.group(1), m.group(2), m.group(3)
        try:
            iso = date(int(y), _MONTHS[mon.lower()], int(d)).isoformat()
        except ValueError:
            continue
        if best is None or m.start() < best[0]:
            best = (m.start(), iso)
    return best[1] if best else None


# --- text clean-up ---------------------------------------------------------

_MD_RULE_RE = re.compile(r"^\s{0,3}(?:-{3,}|\*{3,}|_{3,})\s*$")
_MD_PREFIX_RE = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?)")


def _normalise(text: str) -> str:
    """NFC, one kind of line end, no byte-order mark or form feed, no trailing spaces;
    Markdown rules (---) become blank lines, heading and quote markers (#, >) go."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\ufeff", "").replace("\u200b", "").replace("\f", "\n")
    lines = []
    for line in text.split("\n"):
        line = line.rstrip()
        if _MD_RULE_RE.match(line):
            line = ""
        elif line[:6].lstrip()[:1] in ("#", ">"):
            line = _MD_PREFIX_RE.sub("", line)
        lines.append(line)
    return "\n".join(lines)


_EMPH_RE = re.compile(r"(\*\*|__)(.+?)\1", re.S)
_EMPH1_RE = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")


def strip_emphasis(text: str) -> str:
    text = _EMPH_RE.sub(r"\2", text)
    text = _EMPH1_RE.sub(r"\1", text)
    return text.replace("**", "")


def _join_lines(lines: list[str]) -> str:
    parts: list[str] = []      # a list joined once: linear however many lines a block has
    for line in (ln.strip() for ln in lines):
        if not line:
            continue
        prev = parts[-1] if parts else ""
        if prev.endswith("-") and not prev.endswith(" -") and line[:1].islower():
            parts[-1] = prev[:-1] + line    # re-join a word hyphenated at a line end
        else:
            parts.append(line)
    return _SPACES_RE.sub(" ", " ".join(parts)).strip()


_SPACES_RE = re.compile(r"[ \t]+")


# --- layouts: where paragraphs end ------------------------------------------------

# Page furniture of UN records, never text: a bare page number, a job number with a page
# ("15-29425 31/34"), the record's symbol with its date ("A/70/PV.15 28/09/2015"), a running
# head ("12 General Assembly - Forty-eighth session", "Forty-eighth session - 4 October 1993 7").
_FURNITURE_RE = re.compile(
    r"\d{1,4}"
    r"|(?:\d{1,4}(?:/\d{1,4})?\s+)?\d{2}-\d{4,6}(?:\s+\d{1,4}(?:/\d{1,4})?)?"
    r"|(?:\d{2}/\d{2}/\d{4}\s+)?A/[\w.]+(?:/[\w.]+)+(?:\s+\d{2}/\d{2}/\d{4})?"
    r"|(?:\d{1,4}\s+)?General Assembly\s*[-–]\s*[\w-]+ session"
    r"|[\w-]+ session\s*[-–]\s*\d{1,2} \w+ [\dl]{4}(?:\s+\d{1,4})?", re.I)
# The interpreters' note on the language a speech was given in: "(spoke in French)".
_SPOKE_IN_RE = re.compile(r"\(\s*spoke in ([A-Za-z]+)\s*\)", re.I)
# A paragraph number the document prints: "12. ", "12) ", "33: ", "176.\t" before a word.
PRINTED_NUMBER_RE = re.compile(r"(\d{1,4})\s?[.):]\s+(?=[^\W\d_]|[\"'“‘(\[])")
_SUBITEM_RE = re.compile(r"(?:\(?(?:[a-z]|[ivx]{1,4})\)|[-–•*]\s)")
SALUTATION_RE = re.compile(
    r"^[-–•*\s]*(?:The\s+)?(?:Mr\.?|Mrs\.?|Ms\.?|Madam|Madame|Monsieur|Your\s|His\s|Her\s|Excellenc|Distinguished|Dear|"
    r"Ladies|Honou?rable|President|Mister|Sir|Colleagues|Friends|Chair)", re.I)

WRAPPED_MAX_WIDTH = 120     # a column no wider than this (90th percentile) is hard-wrapped text
WRAPPED_MIN_LINES = 8
BLANK_LINE_RATIO = 0.2      # blank-line paragraphs: at least one blank line per five lines of text
LONG_LINE = 200             # lines this long (median) are paragraphs, not a wrapped column
SHORT_LINE = 0.8            # a wrapped line this far short of the column's width ends its paragraph
WRAPPED_PARAGRAPH_LINES = 40   # more lines per paragraph than this: the width rule found no paragraphs
INDENT_LINE = 0.85          # a wrapped line this short after a finished sentence is an indented first line


def _is_furniture(line: str) -> bool:
    return bool(_FURNITURE_RE.fullmatch(line.strip()))


def _starts_sentence(line: str) -> bool:
    c = line.lstrip("\"'“‘(«[-–• ")[:1]
    return c.isupper() or c.isdigit()


def _percentile(values: list[int], q: float) -> int:
    v = sorted(values)
    return v[int(q * (len(v) - 1))] if v else 0


def layout(text: str) -> str:
    """How a document's text marks its paragraphs, decided from its own lines:
    'blocks' (blank lines between paragraphs), 'lines' (one paragraph per line),
    'wrapped' (a narrow hard-wrapped column, no blank line between paragraphs; most
    lines stop mid-sentence)."""
    lines = _without_furniture(text.split("\n"))
    content = [ln for ln in lines if ln.strip()]
    if len(content) < 2:
        return "blocks"
    blanks = sum(1 for a, b in zip(lines, lines[1:]) if not a.strip() and b.strip()) - (not lines[0].strip())
    if blanks >= BLANK_LINE_RATIO * len(content):
        return "blocks"
    widths = [len(ln.strip()) for ln in content]
    # a wrapped column: narrow, and most lines stop mid-sentence (unlike one sentence per line)
    # (too few lines to tell a column from short paragraphs: one paragraph per line)
    mid_sentence = sum(not _ends_sentence(ln) and not _is_salutation(ln) for ln in content)
    if len(content) >= WRAPPED_MIN_LINES and _percentile(widths, 0.9) <= WRAPPED_MAX_WIDTH \
            and mid_sentence >= 0.5 * len(content):
        return "wrapped"
    return "lines"


def _without_furniture(lines: list[str]) -> list[str]:
    """Lines without page furniture and without the blank lines around it (a page break
    is not a paragraph break)."""
    out: list[str] = []
    after_furniture = False
    for ln in lines:
        if not ln.strip():
            if not after_furniture:
                out.append(ln)
            continue
        if _is_furniture(ln):
            while out and not out[-1].strip():
                out.pop()
            after_furniture = True
            continue
        after_furniture = False
        out.append(ln)
    return out


def _reflow(text: str) -> str:
    """Text in any layout as blank-line paragraphs, the layout the block parser reads.
    Blank-line text is left as it is. Page furniture goes, and with it the blank lines
    around it, so a paragraph cut by a page break comes back whole."""
    kind = layout(text)
    if kind == "blocks":
        return _split_blocks(text)
    lines = [ln.strip() for ln in text.split("\n") if ln.strip() and not _is_furniture(ln)]
    numbered = _printed_numbers([ln for ln in lines if PRINTED_NUMBER_RE.match(ln)]) is not None
    paragraphs = _paragraphs(lines, kind, numbered, by_width=True)
    if kind == "wrapped" and len(lines) > WRAPPED_PARAGRAPH_LINES * len(paragraphs):
        # a typewritten column whose paragraphs end on full lines as often as not: the
        # only sign left is a line that finishes a sentence before one that starts another
        paragraphs = _paragraphs(lines, kind, numbered, by_width=False)
    return "\n\n".join("\n".join(p) for p in paragraphs)


_ABBREVIATION_END_RE = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Messrs|Dr|Prof|St|Gen|No|Nos|Art|para|paras|p|pp|cf|vs)|\b[A-Z])\.$")


def _ends_sentence_here(line: str) -> bool:
    """The line finishes a sentence (not an abbreviation such as 'Mr.' before a name)."""
    return _ends_sentence(line) and not _ABBREVIATION_END_RE.search(line)


def _paragraphs(lines: list[str], kind: str, numbered: bool, by_width: bool) -> list[list[str]]:
    """The lines of each paragraph, for the 'lines' and 'wrapped' layouts."""
    full = _percentile([len(ln) for ln in lines], 0.9)
    paragraphs: list[list[str]] = []
    for i, ln in enumerate(lines):
        prev = paragraphs[-1][-1] if paragraphs else ""
        if not paragraphs:
            new = True
        elif kind == "lines":
            # a line ends its paragraph unless it stops mid-sentence; an address line
            # ("Mr. President of the General Assembly") stops without a comma
            new = _ends_sentence_here(prev) or _is_salutation(prev) \
                or (numbered and bool(PRINTED_NUMBER_RE.match(ln))) or (_is_address(prev) and _starts_sentence(ln))
        else:
            # a wrapped line ends its paragraph when it finishes a sentence short of the
            # column's width and the next line starts a sentence (or a printed number)
            ends = _ends_sentence_here(prev) or (prev.endswith(",") and len(paragraphs[-1]) == 1 and _is_salutation(prev))
            # or when the next line is short (an indented first line) and the line after it
            # continues its sentence
            indented = len(ln) < INDENT_LINE * full and i + 1 < len(lines) and not _ends_sentence(ln)
            new = ends and _starts_sentence(ln) and (
                not by_width or len(prev) < SHORT_LINE * full or indented
                or (numbered and bool(PRINTED_NUMBER_RE.match(ln))))
        if new:
            paragraphs.append([ln])
        else:
            paragraphs[-1].append(ln)
    return paragraphs


def _split_blocks(text: str) -> str:
    """Blank-line text whose blocks hold more than one paragraph: a block of long lines that
    each end a sentence holds one paragraph per line (Markdown with hard line breaks, not
    one sentence per line); in a document that numbers its paragraphs, a line starting
    with a number starts a paragraph."""
    lines = text.split("\n")
    numbered = _printed_numbers([ln.strip() for ln in lines if PRINTED_NUMBER_RE.match(ln.strip())]) is not None
    out: list[str] = []
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [ln for ln in block.split("\n") if ln.strip()]
        if len(lines) > 1 and _percentile([len(ln.strip()) for ln in lines], 0.5) >= LONG_LINE \
                and all(_ends_sentence(strip_emphasis(ln)) for ln in lines):
            out.append("\n\n".join(lines))
        elif numbered and len(lines) > 1:
            cut = [lines[0]]
            for prev, ln in zip(lines, lines[1:]):
                if PRINTED_NUMBER_RE.match(ln.strip()):
                    cut.append("")
                cut.append(ln)
            out.append("\n".join(cut))
        else:
            out.append(block)
    return "\n\n".join(out)


def _is_salutation(text: str) -> bool:
    """'Mr. President,' 'Excellencies, ladies and gentlemen,': an address ending with a comma."""
    t = text.strip()
    if len(t) > 3 * SALUTATION_MAX_CHARS + 4 or not t.rstrip("*_").endswith(","):
        return False            # (checked first: most lines are not addresses)
    t = strip_emphasis(t).strip()
    return t.endswith(",") and len(t) <= 3 * SALUTATION_MAX_CHARS and bool(SALUTATION_RE.match(t))


def _increasing_run(numbers: list[int]) -> set[int]:
    """Positions of a longest strictly increasing subsequence of `numbers` (O(n log n))."""
    import bisect
    tails: list[int] = []        # tails[k]: smallest last value of an increasing run of length k+1
    tail_at: list[int] = []      # its position
    before = [-1] * len(numbers)
    for i, n in enumerate(numbers):
        k = bisect.bisect_left(tails, n)
        if k == len(tails):
            tails.append(n)
            tail_at.append(i)
        else:
            tails[k], tail_at[k] = n, i
        before[i] = tail_at[k - 1] if k else -1
    keep, i = set(), tail_at[-1] if tail_at else -1
    while i >= 0:
        keep.add(i)
        i = before[i]
    return keep


_OFFICE_RE = re.compile(r"\b(?:President|Chair\w*|Secretary|Excellenc\w*|Ladies|Gentlemen|Delegates|Colleagues|"
                        r"Members|Assembly|Madam|Majest\w*|Highness\w*)\b", re.I)


def _is_address(text: str) -> bool:
    """An address line without a closing comma ('Mr. President of the General Assembly'):
    a salutation naming an office or the audience, not a speaker's name."""
    return len(text) <= 3 * SALUTATION_MAX_CHARS and bool(SALUTATION_RE.match(text)) and bool(_OFFICE_RE.search(text))


def _printed_numbers(paragraphs: list[str]) -> list[int | None] | None:
    """The numbers printed before these paragraphs, if they number them consistently:
    three or more, increasing but for a few misprints (at most one in ten). A misprint
    between two numbers one apart is read as the number between them ("56, 51, 58"
    → 57); another misprinted or missing number is None. None if not consistent."""
    found = [PRINTED_NUMBER_RE.match(p) for p in paragraphs]
    numbers = [int(m.group(1)) for m in found if m]
    if len(numbers) < 3:
        return None
    run = _increasing_run(numbers)
    if len(run) < 0.9 * len(numbers):
        return None
    out: list[int | None] = [n if i in run else None for i, n in enumerate(numbers)]
    for i, n in enumerate(out):
        if n is None and 0 < i < len(out) - 1 and out[i - 1] is not None and out[i + 1] is not None \
                and out[i + 1] - out[i - 1] == 2:
            out[i] = out[i - 1] + 1
    it = iter(out)
    return [next(it) if m else None for m in found]


def number_paragraphs(paragraphs: list[str]) -> tuple[list[str], list[int]]:
    """Paragraphs and the numbers the document prints for them ([] when it prints none).
    A document numbers its paragraphs when at least 80% of those from its first numbered
    paragraph on start with a number, consistently (see _printed_numbers); lettered
    sub-items ("(a)", "b)") and bullets count for neither side. Then a paragraph
    without a (usable) number continues the numbered one before it (a quotation, a list),
    and text before the first number joins the first numbered paragraph; the number is
    taken off the text."""
    starts = [i for i, p in enumerate(paragraphs) if PRINTED_NUMBER_RE.match(p)]
    if len(starts) < 3:
        return paragraphs, []
    others = [p for p in paragraphs[starts[0]:] if not PRINTED_NUMBER_RE.match(p) and not _SUBITEM_RE.match(p)]
    if len(others) > 0.2 * (len(starts) + len(others)):
        return paragraphs, []
    printed = _printed_numbers(paragraphs[starts[0]:])
    if printed is None:
        return paragraphs, []
    parts: list[list[str]] = [list(paragraphs[: starts[0]])]
    numbers: list[int] = []
    for p, n in zip(paragraphs[starts[0]:], printed):
        if n is not None:
            numbers.append(n)
            parts.append([p[PRINTED_NUMBER_RE.match(p).end():].strip()])
        else:
            parts[-1].append(p)
    lead = parts.pop(0)
    parts[0] = lead + parts[0]
    return [" ".join(x) for x in parts], numbers


# --- block classification ---------------------------------------------------

@dataclass
class _Block:
    lines: list[str]
    emphasised: bool = False
    _text: str | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = _join_lines(self.lines)
        return self._text

    @property
    def end(self) -> str:
        """The block's last line: how its text ends, without joining it all."""
        return self.lines[-1].strip() if self.lines else ""

    def extend(self, other: "_Block") -> None:
        self.lines.extend(other.lines)
        self._text = None


def _is_meta_line(line: str) -> bool:
    s = strip_emphasis(line).strip()
    if not s:
        return True
    if SYMBOL_RE.fullmatch(s) or LANGUAGE_LINE_RE.match(s) or PAGE_NUMBER_RE.fullmatch(s) or _is_furniture(s):
        return True
    d = DATE_DMY_RE.fullmatch(s) or DATE_MDY_RE.fullmatch(s)
    return bool(d)


def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith(TERMINAL)


def _is_prose(text: str) -> bool:
    """Looks like body text rather than a header line."""
    t = text.strip()
    return _ends_sentence(t) or (t.endswith(",") and len(t) <= SALUTATION_MAX_CHARS) or len(t.split()) > 25


def _blocks(text: str) -> list[_Block]:
    blocks, cur = [], []
    for line in text.split("\n"):
        if line.strip():
            cur.append(line)
        elif cur:
            blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)
    out = []
    for lines in blocks:
        raw = " ".join(ln.strip() for ln in lines)
        emph = bool(re.fullmatch(r"(\*\*|__).*(\*\*|__)", raw.strip(), re.S)) and raw.count("**") + raw.count("__") >= 2
        out.append(_Block(lines, emph))
    return out


def _double_spaced(blocks: list[_Block]) -> bool:
    """PDF text with a blank line after every wrapped line: many one-line blocks stop mid-sentence."""
    single = [b for b in blocks if len(b.lines) == 1 and len(b.text.split()) >= 6]
    broken = [b for b in single if not _ends_sentence(b.text) and not b.text.endswith(",")]
    return len(broken) >= 3 and len(broken) >= 0.3 * max(1, len(blocks))


def _title_case(text: str) -> bool:
    """Most longer words capitalised, as in a title, unlike a wrapped line of prose."""
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", text) if len(w) > 3]
    return len(words) >= 2 and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def _merge_wrapped(blocks: list[_Block]) -> list[_Block]:
    """Rejoin paragraphs that a blank line split mid-sentence. Linear: a paragraph being
    rebuilt from thousands of blocks is judged by its last line, or by its whole text
    only while that is short (an address, a title)."""
    double = _double_spaced(blocks)
    out: list[_Block] = []
    short_limit = 3 * SALUTATION_MAX_CHARS
    prev_chars = 0          # characters in out[-1] so far
    for b in blocks:
        prev = out[-1] if out else None
        if prev is not None and not prev.emphasised and not b.emphasised:
            pt = prev.text if prev_chars <= short_limit else None
            nt = b.text
            continues = not _ends_sentence(prev.end) and not PRINTED_NUMBER_RE.match(nt) and not (
                pt is not None and ((pt.endswith(",") and len(pt) <= SALUTATION_MAX_CHARS) or _is_salutation(pt)))
            # a title line ("EU Statement on the Elections in Georgia") opening the file
            # is not a wrapped line of the paragraph after it
            title = len(out) == 1 and pt is not None and _title_case(pt) and nt[:1].isupper()
            if continues and not title and (nt[:1].islower() or nt[:1].isdigit() or double):
                prev.extend(b)
                prev_chars += sum(len(x) for x in b.lines)
                continue
        out.append(_Block(list(b.lines), b.emphasised))
        prev_chars = sum(len(x) for x in b.lines)
    return out


# --- the parser -------------------------------------------------------------

def parse_statement(text: str, source: str = "", meta: dict | None = None) -> Document:
    """Parse one statement's text into a Document. `meta` overrides what the text prints."""
    meta = dict(meta or {})
    text = _normalise(text)
    found: dict[str, str | None] = {}
    notes: list[str] = []

    text = DISCLAIMER_RE.sub("\n", text)
    m = _SPOKE_IN_RE.search(text)
    if m:
        found["language"] = m.group(1).capitalize()
        text = _SPOKE_IN_RE.sub("", text)
    text = _reflow(text)
    # Metadata lines (symbol, date, language, page number) anywhere, in blocks made
    # only of them. Removed before rejoining wrapped lines, so a paragraph broken
    # by a page header ("- 2 -", the symbol again) comes back whole.
    content: list[_Block] = []
    for b in _blocks(text):
        if all(_is_meta_line(x) for x in b.lines):
            for line in b.lines:
                s = strip_emphasis(line).strip()
                if SYMBOL_RE.fullmatch(s):
                    found.setdefault("id", find_symbol(s))
                elif LANGUAGE_LINE_RE.match(s):
                    if s.lower().startswith("original"):
                        found["language"] = s.split(":", 1)[1].strip().capitalize()
                    elif "only" in s.lower():
                        found.setdefault("language", s.split()[0].capitalize())
                elif s and not _is_furniture(s):
                    key = "date" if "id" in found and "date" not in found else "delivered"
                    found.setdefault(key, parse_date(s))
            continue
        content.append(b)
    content = _merge_wrapped(content)

    # Header zone: blocks before the first prose block; trailer: alignment notes.
    body: list[_Block] = []
    header: list[_Block] = []
    for b in content:
        t = strip_emphasis(b.text).strip()
        if ALIGNMENT_RE.search(t) or (t.startswith("*") and body):
            notes.append(t.lstrip("* ").strip())
            continue
        # an address before the body is its first paragraph ("Mr. President,"; in plain
        # type also without the comma), not a header line
        address = _is_salutation(t) or (not b.emphasised and _is_address(t))
        if not body and (b.emphasised or not _is_prose(t)) and not address:
            header.append(b)
            continue
        body.append(b)
    # Trailing non-prose lines after the body (e.g. a signature line) stay paragraphs;
    # only footnotes attached with "*" were removed above.
    if not body:
        # Everything looked like a header (a statement set entirely in bold, say):
        # its sentences are still the statement, and an error would drop it from the corpus.
        body = [b for b in header if _is_prose(strip_emphasis(b.text))]
        header = [b for b in header if b not in body]
    _read_header(header, found)
    if "delegation" not in found and found.get("title"):
        m = re.match(r"^(?:the\s+)?(.+?)\s+statement\b", found["title"], re.I)
        if m:
            from .delegations import canonical_delegation
            found["delegation"] = canonical_delegation(m.group(1))

    paragraphs = [strip_emphasis(b.text).strip() for b in body]
    paragraphs = [p for p in paragraphs if p]
    paragraphs, numbers = number_paragraphs(paragraphs)
    if "delegation" not in found:
        found["delegation"] = _delegation_from_body(paragraphs, notes)

    found["id"] = found.get("id") or find_symbol("\n".join(strip_emphasis(b.text) for b in header))
    if not found.get("date"):
        found["date"] = found.pop("delivered", None) or parse_date(" ".join(b.text for b in header))
    for k in META_KEYS:
        if meta.get(k) is not None:
            found[k] = meta[k]
    doc_id = found.get("id") or _id_from_filename(source)
    aliases = [a for a in dict.fromkeys([*(meta.get("aliases") or []), _id_from_filename(source)]) if a != doc_id]
    return Document(
        id=doc_id, source=source, paragraphs=paragraphs, date=found.get("date"),
        delivered=found.get("delivered") if found.get("delivered") != found.get("date") else None,
        delegation=found.get("delegation"), speaker=found.get("speaker"),
        meeting=found.get("meeting"), title=found.get("title"), language=found.get("language"),
        notes=notes, aliases=aliases, numbers=numbers,
        aligned=aligned_countries(" ".join(n for n in notes if ALIGNMENT_RE.search(n))),
    )


# A statement that opens "The European Union welcomes ..." is the EU's. Only the
# formal names: "Kazakhstan held ..." opens statements by many delegations.
_OPENING_SPEAKER_RE = re.compile(
    r"^(?:The\s+)?(European Union|EU|United States(?: of America)?|Russian Federation|United Kingdom|UK)"
    r"\s+(?:(?:also|again|firmly|fully|strongly|warmly)\s+)?(?:welcomes|concurs|notes|takes|thanks|would|wishes|"
    r"condemns|calls|reiterates|expresses|supports|shares|remains|is|has|regrets|deplores|urges|recalls|"
    r"underlines|stresses|commends|congratulates|joins)\b")


_CAPITALS_RUN_RE = re.compile(r"\b[A-Z][A-Z'’.-]+(?:\s+(?:of\s+)?[A-Z][A-Z'’.-]+)*\b")
_NOT_COUNTRIES = {"EU", "EFTA", "EEA", "OSCE", "UN", "NATO", "SAP"}


def aligned_countries(clause: str) -> list[str]:
    """The countries an alignment clause names ("The Candidate Countries NORTH MACEDONIA*,
    MONTENEGRO* ... as well as UKRAINE, the REPUBLIC OF MOLDOVA and GEORGIA align themselves
    with this statement"): names set in capitals, and any delegation it names otherwise."""
    from .delegations import canonical_delegation, delegation_mentions
    if not clause:
        return []
    names = []
    for m in _CAPITALS_RUN_RE.finditer(clause):
        if m.group(0) in _NOT_COUNTRIES:
            continue
        name = _titlecase(m.group(0).upper()).strip(" .-")
        # "REPUBLIC of NORTH MACEDONIA" is North Macedonia; an unknown name stays as printed
        known = canonical_delegation(name)
        names += [known] if known != name else (delegation_mentions(name) or [name])
    names += delegation_mentions(clause)
    return [n for n in dict.fromkeys(names) if n and n != "European Union"]


def _delegation_from_body(paragraphs: list[str], notes: list[str]) -> str | None:
    """The speaker when no header names it: EU statements end with the list of
    countries that "align themselves with this statement"; others open with their name."""
    if any(ALIGNMENT_RE.search(n) for n in notes):
        return "European Union"
    for p in paragraphs[:3]:
        m = _OPENING_SPEAKER_RE.match(p)
        if m:
            from .delegations import canonical_delegation
            return canonical_delegation(m.group(1))
    return None


def _titlecase(s: str) -> str:
    if re.sub(r"\d+(st|nd|rd|th)\b", "", s).isupper():
        small = {"of", "the", "and", "at", "to", "in", "on", "for", "by", "via"}
        words = s.lower().split()
        s = " ".join(w if (i and w in small) else (w[:1].upper() + w[1:]) for i, w in enumerate(words))
        s = re.sub(r"\bOsce\b", "OSCE", s)
        s = re.sub(r"\b(\d+)(St|Nd|Rd|Th)\b", lambda m: m.group(1) + m.group(2).lower(), s)
    return s


def _read_header(header: list[_Block], found: dict) -> None:
    """Delegation, speaker, meeting, title and date from the header block."""
    texts = [strip_emphasis(b.text).strip() for b in header]
    for t in texts:
        m = DELEGATION_LINE_RE.match(t)
        if m and "delegation" not in found:
            found["delegation"] = _titlecase(m.group(1)).strip(" ,")
            continue
        m = re.match(r"^(?:the\s+)?(.+?)\s+(?:Permanent\s+)?(?:Mission|Delegation)\s+to\s+the\s+OSCE\b", t, re.I)
        if m and "delegation" not in found and len(m.group(1).split()) <= 4:
            from .delegations import canonical_delegation
            found["delegation"] = canonical_delegation(m.group(1))
            continue
        low = t.lower()
        if low.startswith("statement by") or low.startswith("as delivered by") or "meeting" in low \
                or "permanent council" in low:
            _read_statement_line(t, found)
            continue
        if "title" not in found and not parse_date(t) and len(t) < 200:
            found["title"] = t
        elif parse_date(t) and "delivered" not in found:
            found["delivered"] = parse_date(t)


def _read_statement_line(t: str, found: dict) -> None:
    d = parse_date(t)
    if d:
        found.setdefault("delivered", d)
    m = re.search(r"delegation of (?:the )?(?:Republic of )?(.+?)(?:\s+at\b|,|$)", t, re.I)
    if m and "delegation" not in found:
        found["delegation"] = _titlecase(m.group(1).strip())
    m = re.search(r"(?:statement by|as delivered by)\s+((?:(?:Mr|Ms|Mrs|Dr|H\.E)\.?|Ambassador|Minister)\s+[^,]+?)"
                  r"(?:,|\s+to the|\s+at the|$)", t, re.I)
    m = m or re.match(r"((?:Ambassador|Minister|H\.E\.|Mr\.?|Ms\.?|Mrs\.?|Dr\.?)\s+[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3}?)"
                      r"(?=\s+(?:Permanent Council|to the|at the)|,|$)", t)
    if m and "speaker" not in found:
        found["speaker"] = _titlecase(m.group(1).strip())
    m = re.search(r"(?:at the\s+)?(\d+(?:st|nd|rd|th)\s+(?:special\s+)?meeting of the [A-Z .]+?(?:COUNCIL|FORUM|Council|Forum)[^,]*)", t, re.I) \
        or re.search(r"of the (OSCE \d{4} Human Dimension Implementation Meeting)", t, re.I) \
        or re.search(r"(Permanent Council(?:, [A-Z][a-z]+)?)", t) \
        or re.search(r"\bmeeting of the (?:OSCE\s+)?(permanent\s+council|forum\s+for\s+security\s+co-?operation)\b",
                     t, re.I)
    if m and "meeting" not in found:
        found["meeting"] = _titlecase(m.group(1).strip())
    if "title" not in found and t.lower().startswith("statement by the"):
        found["title"] = re.sub(r"\s*(?:[A-Z][a-z]+ \d{1,2}, \d{4}|\d{1,2} [A-Z][a-z]+ \d{4})\s*$", "", t)


def _id_from_filename(source: str) -> str:
    stem = Path(source).name
    for suf in TEXT_SUFFIXES:
        if stem.lower().endswith(suf):
            stem = stem[: -len(suf)]
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-") or "document"


# --- loading a corpus folder -------------------------------------------------

def pdf_page_text(page) -> str:
    from .formats import pdf_page_text as page_text
    return page_text(page)


def read_text(path: Path) -> str:
    """A statement file's text, whatever its format (qa/formats.py); CorpusError if unreadable."""
    from .formats import read_text as read
    return read(path)


def read_sidecar(path: Path) -> dict:
    """The checked metadata of `path`'s sidecar `<file>.meta.json` ({} if none); see qa/collection.py."""
    from .collection import read_sidecar as read
    return read(path)


def corpus_files(corpus_dir: Path) -> list[Path]:
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise CorpusError(f"{corpus_dir}: corpus folder not found")
    files = sorted(p for p in corpus_dir.rglob("*")
                   if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES
                   and not p.name.startswith(".") and p.name.lower() != "readme.md")
    if not files:
        raise CorpusError(f"{corpus_dir}: no statements found (expected {', '.join(TEXT_SUFFIXES)} files)")
    return files


def unsupported_files(corpus_dir: Path) -> list[Path]:
    """Files in the corpus folder that are not statements, sidecars, the manifest or READMEs:
    a file a user expected to be indexed is named rather than silently passed over."""
    from .collection import MANIFEST_NAMES
    corpus_dir = Path(corpus_dir)
    manifests = {corpus_dir / n for n in MANIFEST_NAMES}
    return sorted(p for p in corpus_dir.rglob("*")
                  if p.is_file() and not p.name.startswith(".") and p.suffix.lower() not in TEXT_SUFFIXES
                  and not p.name.endswith(SIDECAR_SUFFIX) and p.name.lower() != "readme.md"
                  and p not in manifests)


def load_document(path: Path, root: Path | None = None, manifest: dict[str, dict] | None = None) -> Document:
    """One statement file parsed. Metadata: its sidecar over its row in the collection
    manifest (`manifest`, or the manifest of `root` read now) over what the text prints."""
    from .collection import load_manifest
    path = Path(path)
    source = path.relative_to(root).as_posix() if root else str(path)
    if manifest is None:
        manifest = load_manifest(root) if root else {}
    meta = {**manifest.get(source, {}), **read_sidecar(path)}
    doc = parse_statement(read_text(path), source=source, meta=meta)
    if not doc.paragraphs:
        raise CorpusError(f"{path}: no body paragraphs found")
    return doc


def iter_corpus(corpus_dir: Path, on_error=None, log=lambda msg: None):
    """Parse the statements of a folder one at a time (memory stays bounded however
    many files there are). A file that cannot be read or parsed raises CorpusError,
    or, with `on_error`, is passed to it and skipped. A second copy of a statement
    (same id, same paragraphs) is skipped with a note; two different statements
    under one id are an error naming both files."""
    from .collection import load_manifest
    corpus_dir = Path(corpus_dir)
    seen: dict[str, tuple[Path, str]] = {}
    manifest = load_manifest(corpus_dir)      # once per folder; an error in it is fatal
    for path in corpus_files(corpus_dir):
        try:
            doc = load_document(path, corpus_dir, manifest=manifest)
            digest = _paragraphs_digest(doc)
            if doc.id in seen:
                first_path, first_digest = seen[doc.id]
                if first_digest == digest:
                    log(f"skipping {path}: a copy of {first_path} ({doc.id})")
                    continue
                raise CorpusError(f"{path}: document id {doc.id} already used by {first_path}; "
                                  f"give one an \"id\" in its {SIDECAR_SUFFIX} file")
        except CorpusError as e:
            if on_error is None:
                raise
            on_error(e)
            continue
        seen[doc.id] = (path, digest)
        yield doc


def _paragraphs_digest(doc: Document) -> str:
    import hashlib
    return hashlib.sha256("\x00".join(doc.paragraphs).encode("utf-8")).hexdigest()


def corpus_inputs(corpus_dir: Path) -> list[Path]:
    """Every file whose bytes the index depends on: the statements, their sidecars and
    the collection manifest (what the index's corpus fingerprint hashes)."""
    from .collection import manifest_path, sidecar_path
    manifest = manifest_path(corpus_dir)
    out = [manifest] if manifest else []
    for path in corpus_files(corpus_dir):
        out.append(path)
        side = sidecar_path(path)
        if side is not None:
            out.append(side)
    return out


def load_corpus(corpus_dir: Path, log=lambda msg: None) -> list[Document]:
    """Every statement of a folder (iter_corpus, all at once); the first bad file is an error."""
    return list(iter_corpus(corpus_dir, log=log))
