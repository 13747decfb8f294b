"""The chat app: HTML rendering (pure functions) and the Gradio UI. The HTTP side
(the question-running `Service`, the JSON API) is qa/server.py.

Corpus text is untrusted. Every string that comes from a statement (text,
titles, ids, delegation names) goes through `esc()` before it is placed in
markup we build ourselves. The chat transcript is rendered by Gradio as
Markdown with HTML allowed, so `esc()` also turns Markdown and LaTeX
metacharacters into numeric entities: a statement saying
`[click](javascript:...)` shows those characters and makes no link. Gradio's
own sanitizer runs on top of this, but nothing here relies on it (the document
panel is a gr.HTML, which Gradio does not sanitize at all).

Click-through: a citation is `<a href="#cite=<quoted id>|<n>">`, the only kind
of link that survives the chat sanitizer unchanged (on* and data-* attributes
are stripped). A small script in the page head catches clicks on such links,
stores the fragment and clicks a hidden button whose event reads it (via `js=`)
and renders the statement into the panel; a follow-up `js=` step scrolls the
cited paragraph into view.
"""

from __future__ import annotations

import html
import re
from datetime import date
from urllib.parse import quote, unquote

from .answer import Answer, no_answer_message
from .documents import Document
from .filters import Filters, date_bound, parse_filters  # noqa: F401  (date_bound re-exported)

CITE_PREFIX = "#cite="

# What html.escape(quote=True) escapes, plus Markdown/LaTeX metacharacters, each
# to a numeric entity: it renders as the character itself and is never parsed as
# syntax. One str.translate pass, so no entity is escaped twice.
_ESCAPES = {c: f"&#{ord(c)};" for c in "&<>\"'[]()*_`\\$~|#!{}"}
_TABLE = str.maketrans(_ESCAPES)


def esc(text: object) -> str:
    """Escape untrusted text for our HTML inside Gradio's Markdown renderer
    (a superset of html.escape: same characters plus Markdown's)."""
    return ("" if text is None else str(text)).translate(_TABLE)


# --- citations -----------------------------------------------------------------

def cite_href(doc_id: str, paragraphs: list[int] | int) -> str:
    """`#cite=PC.DEL%2F64%2F21|3` (or `|3-4` for a passage spanning paragraphs)."""
    paras = [paragraphs] if isinstance(paragraphs, int) else list(paragraphs)
    span = str(paras[0]) if len(paras) == 1 or paras[0] == paras[-1] else f"{paras[0]}-{paras[-1]}"
    return f"{CITE_PREFIX}{quote(doc_id, safe='')}|{span}"


def parse_cite(fragment: str) -> tuple[str, list[int]] | None:
    """Inverse of cite_href; None for anything malformed (the value comes from the browser)."""
    if not fragment:
        return None
    frag = fragment.strip()
    if frag.startswith("#"):
        frag = frag[1:]
    if not frag.startswith("cite="):
        return None
    body = frag[len("cite="):]
    doc_part, sep, span = body.rpartition("|")
    if not sep or not doc_part:
        return None
    m = re.fullmatch(r"(\d{1,5})(?:-(\d{1,5}))?", span)
    if not m:
        return None
    lo = int(m.group(1))
    hi = int(m.group(2) or lo)
    if hi < lo or hi - lo > 50:
        return None
    return unquote(doc_part), list(range(lo, hi + 1))


def cite_link(label: str, doc_id: str, paragraphs: list[int] | int) -> str:
    # The href holds only percent-encoded characters, "#cite=", "|" and digits; html.escape
    # (not esc) keeps it a literal "#cite=..." that the page script's selector matches.
    return (f'<a class="qa-cite" href="{html.escape(cite_href(doc_id, paragraphs))}" '
            f'title="Open the statement at this paragraph">{esc(label)}</a>')


# --- answer --------------------------------------------------------------------

def format_date(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        d = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{d.day} {d.strftime('%B')} {d.year}"


def highlight(text: str, sentence: str | None) -> str:
    """`text` escaped, with the first verbatim occurrence of `sentence` in <mark>.
    A sentence that is not verbatim in the text is not marked (never paraphrased)."""
    if sentence:
        i = text.find(sentence)
        if i >= 0:
            j = i + len(sentence)
            return f'{esc(text[:i])}<mark class="qa-hl">{esc(text[i:j])}</mark>{esc(text[j:])}'
    return esc(text)


def _doc_header(doc: Document) -> str:
    meta = " · ".join(x for x in (esc(doc.delegation or "Unknown delegation"), esc(format_date(doc.date))) if x)
    return (f'<div class="qa-doc-h"><div class="qa-doc-meta">{meta}</div>'
            f'<div class="qa-doc-title">{esc(doc.title or doc.id)}</div>'
            f'<div class="qa-doc-id">{esc(doc.id)}</div></div>')


def render_passage(answer: Answer, pos: int) -> str:
    hit = answer.hits[pos]
    doc, chunk = hit.doc, hit.chunk
    hl = answer.highlights.get(pos)
    if len(chunk.paragraphs) == 1:
        body = f'<p class="qa-ptext">{highlight(chunk.text, hl.text if hl else None)}</p>'
    else:
        # A passage of joined short paragraphs: show each with its own number so
        # the highlight sits in the paragraph its citation names.
        parts = []
        for p in chunk.paragraphs:
            text = doc.paragraph(p)
            mark = hl.text if hl and hl.paragraph == p else None
            parts.append(f'<p class="qa-ptext"><span class="qa-pn">¶{p}</span> {highlight(text, mark)}</p>')
        body = "".join(parts)
    return (f'<div class="qa-passage">'
            f'<div class="qa-passage-cite">{cite_link(hit.citation, doc.id, chunk.paragraphs)}</div>'
            f'{body}</div>')


def render_answer(answer: Answer, question: str | None = None) -> str:
    """The bot message: lead sentences with citations, then passages grouped by statement.
    One line of HTML with no blank lines, so Markdown treats it as a single HTML block."""
    question = answer.result.question if question is None else question
    if answer.result.abstained:
        why = f'<br><small>Why: {esc(answer.result.reason)}.</small>' if answer.result.reason else ""
        return f'<div class="qa-answer qa-noanswer"><p>{esc(no_answer_message(question))}{why}</p></div>'
    if not answer.hits:
        return '<div class="qa-answer qa-noanswer"><p>No statement matches these filters.</p></div>'
    out = ['<div class="qa-answer">']
    if answer.lead:
        out.append('<div class="qa-lead">')
        for s in answer.lead:
            out.append(f'<p class="qa-lead-s"><span class="qa-quote">“{esc(s.text)}”</span> '
                       f'{cite_link(s.citation, s.doc_id, s.paragraph)}</p>')
        out.append("</div>")
    n_docs = len(answer.groups())
    out.append(f'<div class="qa-sources-h">Sources · {len(answer.hits)} passage'
               f'{"s" if len(answer.hits) != 1 else ""} from {n_docs} statement{"s" if n_docs != 1 else ""}</div>')
    for doc_id, positions in answer.groups():
        doc = answer.hits[positions[0]].doc
        out.append(f'<div class="qa-doc">{_doc_header(doc)}')
        out.extend(render_passage(answer, pos) for pos in positions)
        out.append("</div>")
    out.append("</div>")
    return "".join(out)


# --- document panel ------------------------------------------------------------

PANEL_EMPTY = ('<div class="qa-panel-empty"><p>Click a citation to read the statement here, '
               'with the cited paragraph highlighted.</p></div>')


def render_document(doc: Document, cited: list[int] | None = None) -> str:
    cited = set(cited or [])
    rows = []
    for n, text in zip(doc.labels(), doc.paragraphs):
        cls = "qa-para is-cited" if n in cited else "qa-para"
        rows.append(f'<div class="{cls}" id="p-{n}"><span class="qa-pn">{n}</span>'
                    f'<p>{esc(text)}</p></div>')
    facts = [("Delegation", doc.delegation), ("Date", format_date(doc.date)), ("Meeting", doc.meeting),
             ("Speaker", doc.speaker), ("Document", doc.id), ("File", doc.source)]
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts if v)
    notes = "".join(f'<p class="qa-note">{esc(x)}</p>' for x in doc.notes)
    return (f'<div class="qa-docview"><h3 class="qa-docview-title">{esc(doc.title or doc.id)}</h3>'
            f'<dl class="qa-facts">{dl}</dl><div class="qa-paras">{"".join(rows)}</div>{notes}</div>')


def render_citation(index, fragment: str) -> str:
    parsed = parse_cite(fragment)
    if parsed is None:
        return PANEL_EMPTY
    doc_id, paras = parsed
    try:
        doc = index.document(doc_id)
    except KeyError:
        return f'<div class="qa-panel-empty"><p>No statement with id {esc(doc_id)} in the index.</p></div>'
    return render_document(doc, [p for p in paras if doc.has_paragraph(p)])


# --- inputs --------------------------------------------------------------------

def make_filters(delegations=None, since: str | None = None, until: str | None = None, docs=None) -> Filters | None:
    return parse_filters(delegations, since, until, docs)


def user_turns(history) -> list[str]:
    """Earlier user questions, oldest first, from Gradio's messages history."""
    out = []
    for m in history or []:
        role = m.get("role") if isinstance(m, dict) else getattr(m, "role", None)
        if role != "user":
            continue
        content = m.get("content") if isinstance(m, dict) else getattr(m, "content", None)
        if isinstance(content, list):   # Gradio may normalise content to [{"type": "text", "text": ...}]
            content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
        if isinstance(content, dict):
            content = content.get("text", "")
        if isinstance(content, str) and content.strip():
            out.append(content.strip())
    return out


# --- Gradio UI -----------------------------------------------------------------

EXAMPLES = [
    "What did the United States say about media freedom in 2016?",
    "How did Russia and the EU differ on the January 2021 elections in Kazakhstan?",
    "Which observers did Russia say found the Kazakh vote fair?",
]

# Runs once in the page head. Capture phase, so it sees the click before the
# chat's own link handling (which would open a new tab).
HEAD = """
<script>
(function () {
  function openCite(frag) {
    window.__qaCite = frag;
    var btn = document.querySelector('#qa-cite-btn');
    if (btn) { btn.click(); }
  }
  window.__qaOpenCite = openCite;
  document.addEventListener('click', function (e) {
    var a = e.target && e.target.closest ? e.target.closest('a[href^="#cite="]') : null;
    if (!a) { return; }
    e.preventDefault();
    e.stopPropagation();
    openCite(a.getAttribute('href'));
  }, true);
})();
</script>
"""

# Returns the stored fragment as the hidden textbox's value for the event.
READ_CITE_JS = "(x) => window.__qaCite || x"
# Gradio's autoscroll would leave a long answer scrolled to its last passage;
# the question and the lead under it are what the reader needs first.
# Scrolls only the chat's own scroll box, so the page itself stays put.
SCROLL_ANSWER_JS = """() => {
  setTimeout(function () {
    var turns = document.querySelectorAll('#chatbot [data-testid="user"]');
    if (!turns.length) { return; }
    var el = turns[turns.length - 1], box = el.parentElement;
    while (box && !(box.scrollHeight > box.clientHeight && /(auto|scroll)/.test(getComputedStyle(box).overflowY))) {
      box = box.parentElement;
    }
    if (box) { box.scrollTop += el.getBoundingClientRect().top - box.getBoundingClientRect().top - 12; }
  }, 50);
}"""
SCROLL_JS = """() => {
  setTimeout(function () {
    var el = document.querySelector('#qa-doc-panel .qa-para.is-cited');
    if (el) { el.scrollIntoView({block: 'center', behavior: 'instant'}); }
  }, 50);
}"""

CSS = """
.gradio-container { max-width: 1400px !important; }
#qa-header h1 { font-size: 1.45rem; margin: 0 0 .15rem 0; }
#qa-header p { margin: 0; color: var(--body-text-color-subdued); }
.qa-hidden { display: none !important; }
.qa-answer { line-height: 1.55; }
.qa-answer p { margin: 0; }
.qa-lead { border-left: 3px solid #1d4ed8; padding: .1rem 0 .1rem .8rem; margin-bottom: .9rem; }
.qa-lead-s { margin: .25rem 0 !important; }
.qa-quote { font-style: italic; }
a.qa-cite { display: inline-block; font-size: .82em; font-weight: 600; padding: 0 .4em; border-radius: 4px;
  background: #e8eefc; color: #1d4ed8 !important; text-decoration: none !important; white-space: nowrap;
  border: 1px solid #c7d5f7; cursor: pointer; }
a.qa-cite:hover, a.qa-cite:focus { background: #1d4ed8; color: #fff !important; }
.qa-sources-h { font-size: .78em; letter-spacing: .06em; text-transform: uppercase; color: #64748b;
  margin: .6rem 0 .4rem 0; font-weight: 600; }
.qa-doc { border: 1px solid #e2e8f0; border-radius: 8px; padding: .6rem .8rem; margin: .5rem 0; background: #fff; }
.dark .qa-doc { background: transparent; border-color: #334155; }
.qa-doc-meta { font-size: .85em; font-weight: 600; color: #334155; }
.dark .qa-doc-meta { color: #cbd5e1; }
.qa-doc-title { font-size: .92em; color: #475569; }
.qa-doc-id { font-size: .75em; color: #94a3b8; font-family: var(--font-mono); }
.qa-passage { margin-top: .5rem; padding-top: .45rem; border-top: 1px dashed #e2e8f0; }
.qa-passage-cite { margin-bottom: .2rem; }
.qa-ptext { font-size: .93em; }
mark.qa-hl { background: #fef08a; color: inherit; padding: 0 .1em; border-radius: 2px; }
.qa-pn { color: #94a3b8; font-size: .8em; font-weight: 600; margin-right: .3em; }
.qa-noanswer p { color: #7c2d12; background: #fff7ed; border: 1px solid #fed7aa; border-radius: 6px;
  padding: .5rem .75rem; }
#qa-doc-panel { max-height: 78vh !important; overflow-y: auto !important; border: 1px solid #e2e8f0; border-radius: 8px;
  padding: .8rem 1rem; background: #fff; }
.dark #qa-doc-panel { background: transparent; border-color: #334155; }
.qa-panel-empty { color: #64748b; font-size: .95em; }
.qa-docview-title { margin: 0 0 .4rem 0; font-size: 1.05rem; }
.qa-facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem; font-size: .82em;
  color: #475569; margin: 0 0 .8rem 0; }
.qa-facts dt { font-weight: 600; } .qa-facts dd { margin: 0; word-break: break-word; }
.qa-para { display: flex; gap: .6rem; padding: .35rem .5rem; border-radius: 6px; margin: .15rem 0; }
.qa-para p { margin: 0; line-height: 1.5; font-size: .93em; }
.qa-para .qa-pn { min-width: 1.6em; text-align: right; padding-top: .1em; }
.qa-para.is-cited { background: #fef9c3; box-shadow: inset 3px 0 0 #ca8a04; }
.dark .qa-para.is-cited { background: #422006; }
.qa-note { font-size: .8em; color: #64748b; }
"""


def chat_fn(service: "Service"):
    # Defaults of None make the filters optional parameters of gradio_client's /chat.
    def chat(message: str, history: list, delegations: list[str] | None = None, since: str | None = None,
             until: str | None = None, statements: list[str] | None = None) -> str:
        question = (message or "").strip()
        if not question:
            return '<div class="qa-answer"><p>Ask a question about the statements.</p></div>'
        try:
            filters = make_filters(delegations, since, until, statements)
        except ValueError as e:
            return f'<div class="qa-answer qa-noanswer"><p>{esc(e)}</p></div>'
        answer = service.ask(question, filters=filters, history=user_turns(history))
        return render_answer(answer, question)
    return chat


def build_demo(service: "Service"):
    import gradio as gr

    with gr.Blocks(title="OSCE statements — cited answers", fill_height=False) as demo:
        with gr.Column(elem_id="qa-header"):
            gr.HTML(f"<h1>OSCE statements: cited answers</h1><p>Answers quote the statements verbatim; every quote "
                    f"and passage is cited to document and paragraph. {len(service.index.documents)} statements "
                    f"indexed.</p>")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=420):
                chatbot = gr.Chatbot(elem_id="chatbot", height=640, autoscroll=False, latex_delimiters=[], sanitize_html=True,
                                     show_label=False, buttons=["copy"],
                                     placeholder="Ask what a delegation said; click a citation to read it in full.")
                textbox = gr.Textbox(elem_id="qa-input", placeholder="Ask about the statements…",
                                     show_label=False, lines=1, max_lines=4, submit_btn=True)
                # Rendered here, in our own layout; ChatInterface does not re-render
                # additional inputs that are already on the page.
                with gr.Accordion("Filters: delegation, dates, statement", open=False, elem_id="qa-filters"):
                    with gr.Row():
                        delegation = gr.Dropdown(choices=service.delegations(), value=[], multiselect=True,
                                                 label="Delegation", elem_id="qa-delegation", scale=1)
                        statements = gr.Dropdown(choices=service.statement_choices(), value=[], multiselect=True,
                                                 label="Statement", elem_id="qa-statement", scale=2)
                    with gr.Row():
                        since = gr.Textbox(label="Since", placeholder="YYYY, YYYY-MM or YYYY-MM-DD",
                                           elem_id="qa-since")
                        until = gr.Textbox(label="Until (inclusive)", placeholder="YYYY, YYYY-MM or YYYY-MM-DD",
                                           elem_id="qa-until")
                gr.ChatInterface(
                    chat_fn(service), chatbot=chatbot, textbox=textbox,
                    additional_inputs=[delegation, since, until, statements],
                    # None for the filters: Gradio then shows the examples as cards inside the
                    # empty chat and runs them on click, with the filters as currently set.
                    examples=[[q, None, None, None, None] for q in EXAMPLES],
                    example_labels=EXAMPLES, cache_examples=False,
                    api_name="chat", fill_height=False, autofocus=True,
                    api_description="Answer a question from the statements; returns the answer as HTML. "
                                    "For JSON use GET /api/ask.")
            with gr.Column(scale=2, min_width=340):
                panel = gr.HTML(PANEL_EMPTY, elem_id="qa-doc-panel", label="Statement")
                cite_box = gr.Textbox(elem_id="qa-cite-box", elem_classes=["qa-hidden"], show_label=False,
                                      container=False)
                cite_btn = gr.Button("open", elem_id="qa-cite-btn", elem_classes=["qa-hidden"])
        chatbot.change(None, js=SCROLL_ANSWER_JS, api_visibility="private", queue=False)
        cite_btn.click(lambda frag: render_citation(service.index, frag), inputs=[cite_box], outputs=[panel],
                       js=READ_CITE_JS, api_visibility="private", show_progress="hidden", queue=False
                       ).then(None, js=SCROLL_JS)
    return demo
