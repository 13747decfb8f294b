"""Reading a statement file into text, whatever its format.

Every reader returns plain text in which a blank line separates the blocks the format
itself marks (a Word paragraph, an HTML <p>/<li>/<h1>…, a PDF paragraph found from the
page layout), so one parser (qa/documents.py) applies the same paragraph, metadata and
citation rules to all of them. Text files are read as they are (UTF-8, with or without
a byte-order mark). Any failure is a CorpusError of one line naming the file.
"""

from __future__ import annotations

import contextlib
import logging
import re
import warnings
from pathlib import Path


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _quiet_pypdf():
    """pypdf reports a damaged file by logging and warnings, dozens of lines of them.
    Collect them instead of printing them; the caller turns them into one line."""
    log = logging.getLogger("pypdf")
    records = _Records()
    saved = (log.handlers[:], log.propagate, log.level)
    log.handlers, log.propagate = [records], False
    log.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield records.messages
            records.messages.extend(str(w.message) for w in caught)
    finally:
        log.handlers, log.propagate, log.level = saved[0], saved[1], saved[2]


def _short(reason: str) -> str:
    reason = " ".join(str(reason).split())
    return reason[:117] + "..." if len(reason) > 120 else reason


def read_text(path: Path) -> str:
    from .documents import CorpusError
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".pdf":
            return read_pdf(path)
        if suffix == ".docx":
            return read_docx(path)
        raw = path.read_bytes().decode("utf-8")
        return html_text(raw) if suffix in (".html", ".htm") else raw
    except UnicodeDecodeError as e:
        raise CorpusError(f"{path}: not UTF-8 text (byte 0x{e.object[e.start]:02x} at offset {e.start})") from None
    except OSError as e:
        raise CorpusError(f"{path}: cannot read: {e.strerror or e}") from None


# --- PDF -----------------------------------------------------------------------

def read_pdf(path: Path) -> str:
    """Text of every page (layout mode, see pdf_page_text). A file pypdf cannot read, or
    reads only by repairing it into no text at all, is 'damaged PDF (reason)'."""
    from pypdf import PdfReader
    from .documents import CorpusError
    with _quiet_pypdf() as messages:
        try:
            text = "\n\n".join(pdf_page_text(page) for page in PdfReader(str(path)).pages)
        except OSError:
            raise
        except Exception as e:  # pypdf raises many types for damaged files
            raise CorpusError(f"{path}: damaged PDF ({_short(e) or type(e).__name__})") from None
    if messages and not text.strip():
        raise CorpusError(f"{path}: damaged PDF ({_short(messages[0])})")
    return text


def pdf_page_text(page) -> str:
    """A PDF page's text with its paragraphs apart. pypdf's plain extraction runs a
    page's paragraphs together, one line after another; its layout mode keeps the
    vertical gaps and first-line indents that separate them, which become blank
    lines here. Layout mode pads with spaces: margins and runs of spaces go."""
    from .documents import _ends_sentence
    try:
        text = page.extract_text(extraction_mode="layout") or ""
    except Exception:   # an odd page: plain extraction still gives the words
        return page.extract_text() or ""
    lines = [ln.rstrip() for ln in text.split("\n")]
    margin = min((len(ln) - len(ln.lstrip()) for ln in lines if ln.strip()), default=0)
    widths = sorted(len(ln) - margin for ln in lines if ln.strip())
    full = widths[int(0.9 * (len(widths) - 1))] if widths else 0   # a full line of body text
    out: list[str] = []
    short_end = False   # the previous line finished a sentence well short of the margin
    for ln in lines:
        indent = len(ln) - len(ln.lstrip()) - margin
        width = len(ln) - margin
        ln = re.sub(r" {2,}", " ", ln.strip())
        if not ln:
            if out and out[-1]:
                out.append("")
            short_end = False
            continue
        # a paragraph starts after a finished sentence: indented, or the line before stopped short
        prev = out[-1] if out else ""
        if prev and (_ends_sentence(prev) or (short_end and prev.endswith(","))) and (indent >= 4 or short_end) \
                and ln[:1].isupper():
            out.append("")
        out.append(ln)
        short_end = (_ends_sentence(ln) or ln.endswith(",")) and width < 0.8 * full
    return "\n".join(out).strip()


# --- DOCX ----------------------------------------------------------------------

def read_docx(path: Path) -> str:
    """Word paragraphs (and the paragraphs of table cells, in document order) as blocks.
    A paragraph set wholly in bold is marked `**…**`, as emphasis is in Markdown, so the
    parser reads a bold title block the same way in both."""
    import docx
    from .documents import CorpusError
    try:
        document = docx.Document(str(path))
    except Exception as e:   # not a zip, no document part, bad XML
        raise CorpusError(f"{path}: damaged DOCX ({_short(e) or type(e).__name__})") from None
    blocks: list[str] = []
    for item in document.iter_inner_content():
        paragraphs = item.paragraphs if hasattr(item, "paragraphs") else [item]
        if hasattr(item, "rows"):   # a table: its cells' paragraphs, row by row
            paragraphs = [p for row in item.rows for cell in row.cells for p in cell.paragraphs]
        for p in paragraphs:
            text = p.text.strip()
            if not text:
                continue
            runs = [r for r in p.runs if r.text.strip()]
            if runs and all(r.bold for r in runs):
                text = f"**{text}**"
            blocks.append(text)
    return "\n\n".join(blocks)


# --- HTML ----------------------------------------------------------------------

_NOT_TEXT = "script, style, noscript, template, nav, aside, form, button, svg, iframe, select"
_PAGE_FRAME = "header, footer"     # the site's, when the page marks no <main>/<article>
_BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "td", "th", "dd", "dt",
           "figcaption", "caption")
_SPACE_RE = re.compile(r"[ \t\r\f\v]+")


def html_text(html: str) -> str:
    """The main text of a web page: <main> or <article> (else <body>) without navigation,
    scripts, styles, headers, footers, asides and forms; one block per <p>, <li>, <h1>–<h6>
    (…) that holds no other such block. A page without such blocks gives its text by lines."""
    from selectolax.lexbor import LexborHTMLParser
    tree = LexborHTMLParser(html)
    for node in tree.css(_NOT_TEXT):
        node.decompose()
    root = tree.css_first("main") or tree.css_first("article") or tree.css_first("[role=main]")
    if root is None:
        root = tree.body
        if root is None:
            return ""
        for node in root.css(_PAGE_FRAME):
            node.decompose()
    for br in root.css("br"):
        br.replace_with("\n")
    selector = ", ".join(_BLOCKS)
    blocks = []
    for node in root.css(selector):
        if len(node.css(selector)) > 1:   # lexbor's css() includes the node itself
            continue            # an outer block: its inner blocks are taken one by one
        text = _SPACE_RE.sub(" ", node.text(deep=True, separator=""))
        text = "\n".join(ln.strip() for ln in text.split("\n") if ln.strip())
        if text:
            blocks.append(f"**{text}**" if node.tag in ("h1", "h2", "h3", "h4", "h5", "h6") else text)
    if not blocks:
        return "\n".join(ln.strip() for ln in root.text(separator="\n").split("\n"))
    return "\n\n".join(blocks)
