"""The chat app: HTML rendering (pure functions) and the Gradio UI. The HTTP side
(the question-running `Service`, the JSON API) is qa/server.py; the page's CSS and
script are qa/app_assets.py; adding statements is qa/upload.py.

Corpus text is untrusted. Every string that comes from a statement (text,
titles, ids, delegation names) goes through `esc()` before it is placed in
markup we build ourselves. The chat transcript is rendered by Gradio as
Markdown with HTML allowed, so `esc()` also turns Markdown and LaTeX
metacharacters into numeric entities: a statement saying
`[click](javascript:...)` shows those characters and makes no link. Gradio's
own sanitizer runs on top of this, but nothing here relies on it (the document
panel is a gr.HTML, which Gradio does not sanitize at all).

Actions inside rendered HTML are plain links, the only kind that survives the
chat sanitizer unchanged (on* and data-* attributes are stripped):
`#cite=<quoted id>|<n>` opens a statement at a paragraph, `#doc=<quoted id>`
opens one at the top, `#close` closes the panel, `#rmfilter=<kind>|<value>`
removes a filter, `#ask=<question>` asks a suggested follow-up, `#copy` and
`#share` copy an answer or its permalink. The page script (qa/app_assets.py)
catches clicks on them; those that need the server press a hidden button whose
event reads the fragment (via `js=`).
"""

from __future__ import annotations

import html
import json
import re
from datetime import date
from urllib.parse import parse_qs, quote, unquote, urlencode

from .answer import Answer
from .conversation import is_followup
from .documents import Document
from .filters import Filters, date_bound, parse_filters  # noqa: F401  (date_bound re-exported)
from .limits import Busy

CITE_PREFIX = "#cite="
DOC_PREFIX = "#doc="
NO_ANSWER = "The statements don't answer this."

# What html.escape(quote=True) escapes, plus Markdown/LaTeX metacharacters, each
# to a numeric entity: it renders as the character itself and is never parsed as
# syntax. One str.translate pass, so no entity is escaped twice.
_ESCAPES = {c: f"&#{ord(c)};" for c in "&<>\"'[]()*_`\\$~|#!{}"}
_TABLE = str.maketrans(_ESCAPES)


def esc(text: object) -> str:
    """Escape untrusted text for our HTML inside Gradio's Markdown renderer
    (a superset of html.escape: same characters plus Markdown's)."""
    return ("" if text is None else str(text)).translate(_TABLE)


def esc_block(text: str) -> str:
    """esc() for multi-line text kept inside one HTML block: a newline becomes an
    entity, so Markdown never sees a blank line that would end the block."""
    return esc(text).replace("\n", "&#10;")


# --- citations -----------------------------------------------------------------

def cite_href(doc_id: str, paragraphs: list[int] | int) -> str:
    """`#cite=PC.DEL%2F64%2F21|3` (or `|3-4` for a passage spanning paragraphs)."""
    paras = [paragraphs] if isinstance(paragraphs, int) else list(paragraphs)
    span = str(paras[0]) if len(paras) == 1 or paras[0] == paras[-1] else f"{paras[0]}-{paras[-1]}"
    return f"{CITE_PREFIX}{quote(doc_id, safe='')}|{span}"


def doc_href(doc_id: str) -> str:
    """`#doc=PC.DEL%2F64%2F21`: open a statement at its top."""
    return f"{DOC_PREFIX}{quote(doc_id, safe='')}"


def parse_cite(fragment: str) -> tuple[str, list[int]] | None:
    """Inverse of cite_href (and doc_href, with no paragraphs); None for anything
    malformed (the value comes from the browser)."""
    if not fragment:
        return None
    frag = fragment.strip()
    if frag.startswith("#"):
        frag = frag[1:]
    if frag.startswith("doc="):
        doc_id = unquote(frag[len("doc="):])
        return (doc_id, []) if doc_id.strip() else None
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


def doc_link(label: str, doc_id: str, cls: str = "qa-doclink") -> str:
    return f'<a class="{cls}" href="{html.escape(doc_href(doc_id))}">{esc(label)}</a>'


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


# Characters that would turn pasted text into Markdown syntax (a link, an HTML tag,
# emphasis) get a backslash; the words themselves are left as they are.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>])")


def md_text(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def answer_markdown(answer: Answer, question: str | None = None) -> str:
    """The answer as plain text / Markdown, ready to paste into a report: the lead
    quotes with their citations (`“…” — PC.DEL/64/21 ¶3`), then the sources."""
    r = answer.result
    if r.abstained or not answer.hits:
        lines = [NO_ANSWER if r.abstained else "No statement matches these filters."]
        if r.abstained and answer.hits:
            lines += ["", "Nearest statements:"]
            for doc_id, positions in answer.groups():
                doc = answer.hits[positions[0]].doc
                lines.append(f"- {md_text(_doc_label(doc))} — {answer.hits[positions[0]].citation}")
        return "\n".join(lines)
    lines = [f"“{md_text(s.text)}” — {s.citation}" for s in answer.lead]
    lines += ["", "Sources:"]
    for doc_id, positions in answer.groups():
        doc = answer.hits[positions[0]].doc
        lines.append(f"- {md_text(_doc_label(doc))} ({doc.id})")
        for pos in positions:
            hit = answer.hits[pos]
            lines.append(f"  - “{md_text(hit.chunk.text)}” — {hit.citation}")
    return "\n".join(lines).strip()


def _doc_label(doc: Document) -> str:
    return ", ".join(x for x in (doc.delegation, format_date(doc.date), doc.title or doc.id) if x)


def permalink(question: str, filters: Filters | None = None, history: list[str] | None = None) -> str:
    """`?q=…&delegation=…&since=…`: the query string that opens this answer again."""
    params: list[tuple[str, str]] = [("q", question)]
    if filters:
        params += [("delegation", d) for d in filters.delegations]
        params += [(k, v) for k, v in (("since", filters.since), ("until", filters.until)) if v]
        params += [("doc", d) for d in filters.docs]
    params += [("history", h) for h in history or []]
    return "?" + urlencode(params)


def parse_permalink(search: str) -> dict | None:
    """The inverse of permalink(): {"q", "delegation", "since", "until", "doc", "history"},
    or None when the query string asks no question."""
    qs = parse_qs((search or "").lstrip("?"), keep_blank_values=False)
    q = (qs.get("q") or [""])[0].strip()
    if not q:
        return None
    return {"q": q[:1000], "delegation": qs.get("delegation", []), "since": (qs.get("since") or [""])[0],
            "until": (qs.get("until") or [""])[0], "doc": qs.get("doc", []), "history": qs.get("history", [])}


def _with_article(name: str) -> str:
    """'European Union' -> 'the European Union': the names that take one in English."""
    if re.match(r"(European|United|Russian Federation|Holy See|Netherlands|Czech Republic|Slovak Republic|"
                r"Kyrgyz Republic|Republic|Principality)\b", name):
        return "the " + name
    return name


def followups(answer: Answer, wider: list) -> list[str]:
    """Suggested next questions: the delegations among the statements retrieved for
    this question (`wider`, a longer list of hits) that the answer does not quote."""
    if answer.result.abstained or not answer.hits:
        return []
    shown = {h.doc.delegation for h in answer.hits}
    out: list[str] = []
    for h in wider:
        d = h.doc.delegation
        if d and d not in shown and d not in out:
            out.append(d)
    return [f"What did {_with_article(d)} say?" for d in out[:3]]


def _footer(answer: Answer, question: str, link: str | None, suggestions: list[str]) -> str:
    parts = ['<div class="qa-actions">',
             '<a class="qa-act qa-copy" href="#copy" title="Copy the answer as text with its citations">Copy</a>']
    if link:
        # the permalink travels as a fragment the page script turns into a full URL
        parts.append(f'<a class="qa-act qa-share" href="#share={html.escape(quote(link, safe=""))}" '
                     f'title="Copy a link that opens this answer">Copy link</a>')
    parts.append("</div>")
    if suggestions:
        parts.append('<div class="qa-suggest"><span class="qa-suggest-h">Ask next:</span>')
        parts += [f'<a class="qa-chip qa-ask" href="#ask={html.escape(quote(s, safe=""))}">{esc(s)}</a>'
                  for s in suggestions]
        parts.append("</div>")
    parts.append(f'<pre class="qa-md">{esc_block(answer_markdown(answer, question))}</pre>')
    return "".join(parts)


def render_refusal(answer: Answer) -> str:
    """Plain words, the nearest statements to open, and a way forward. The technical
    reason stays in the JSON API (`abstain_reason`)."""
    out = ['<div class="qa-refusal">', f'<p class="qa-refusal-h">{esc(NO_ANSWER)}</p>']
    if answer.hits:
        out.append('<p>The nearest statements, in case one helps:</p><ul class="qa-nearest">')
        for doc_id, positions in answer.groups():
            hit = answer.hits[positions[0]]
            out.append(f'<li>{cite_link(hit.citation, doc_id, hit.chunk.paragraphs)} '
                       f'{esc(_doc_label(hit.doc))}</li>')
        out.append("</ul>")
    out.append('<p>Try a broader question, another wording, or fewer filters.</p></div>')
    return "".join(out)


def render_answer(answer: Answer, question: str | None = None, link: str | None = None,
                  suggestions: list[str] | None = None, rewritten: bool = False) -> str:
    """The bot message: lead sentences with citations, then passages grouped by statement.
    One line of HTML with no blank lines, so Markdown treats it as a single HTML block.
    `rewritten`: the question was completed from the conversation; show what was searched."""
    question = answer.result.question if question is None else question
    r = answer.result
    out = ['<div class="qa-answer">']
    if rewritten and r.query and " ".join(r.query.split()) != " ".join(question.split()):
        out.append(f'<p class="qa-searched">Searched for: <span class="qa-searched-q">{esc(r.query)}</span></p>')
    if r.abstained:
        out.append(render_refusal(answer))
    elif not answer.hits:
        out.append('<div class="qa-refusal"><p class="qa-refusal-h">No statement matches these filters.</p>'
                   '<p>Remove a filter (the chips above the question box) and ask again.</p></div>')
    else:
        if answer.lead:
            out.append('<div class="qa-lead">')
            for s in answer.lead:
                out.append(f'<p class="qa-lead-s"><span class="qa-quote">“{esc(s.text)}”</span> '
                           f'{cite_link(s.citation, s.doc_id, s.paragraph)}</p>')
            out.append("</div>")
        n_docs = len(answer.groups())
        out.append(f'<div class="qa-sources-h">Sources · {len(answer.hits)} passage'
                   f'{"s" if len(answer.hits) != 1 else ""} from {n_docs} statement'
                   f'{"s" if n_docs != 1 else ""}</div>')
        for doc_id, positions in answer.groups():
            doc = answer.hits[positions[0]].doc
            out.append(f'<div class="qa-doc">{_doc_header(doc)}')
            out.extend(render_passage(answer, pos) for pos in positions)
            out.append("</div>")
    out.append(_footer(answer, question, link, suggestions or []))
    out.append("</div>")
    return "".join(out)


def render_error(message: str) -> str:
    return (f'<div class="qa-answer"><div class="qa-refusal"><p class="qa-refusal-h">{esc(message)}</p>'
            f'</div></div>')


# --- filter chips --------------------------------------------------------------

def render_chips(delegations=None, since: str | None = None, until: str | None = None, docs=None) -> str:
    """The active filters as removable chips (shown above the question box)."""
    chips = [("delegation", d, f"Delegation: {d}") for d in delegations or []]
    chips += [(k, v, f"{label}: {v}") for k, label, v in (("since", "Since", since), ("until", "Until", until))
              if v and str(v).strip()]
    chips += [("doc", d, f"Statement: {d}") for d in docs or []]
    if not chips:
        return '<div class="qa-chips qa-chips-empty"></div>'
    out = ['<div class="qa-chips" aria-label="Active filters"><span class="qa-chips-h">Filters:</span>']
    for kind, value, label in chips:
        href = f"#rmfilter={kind}|{quote(str(value), safe='')}"
        out.append(f'<span class="qa-chip qa-filter-chip">{esc(label)}'
                   f'<a class="qa-chip-x" href="{html.escape(href)}" title="Remove this filter" '
                   f'aria-label="Remove filter {esc(label)}">×</a></span>')
    out.append("</div>")
    return "".join(out)


def remove_filter(fragment: str, delegations, since, until, docs) -> tuple[list, str, str, list]:
    """The filters after the chip named by `#rmfilter=<kind>|<value>` is removed."""
    delegations, docs = list(delegations or []), list(docs or [])
    frag = (fragment or "").lstrip("#")
    if frag.startswith("rmfilter="):
        kind, _, value = frag[len("rmfilter="):].partition("|")
        value = unquote(value)
        if kind == "delegation":
            delegations = [d for d in delegations if d != value]
        elif kind == "doc":
            docs = [d for d in docs if d != value]
        elif kind == "since":
            since = ""
        elif kind == "until":
            until = ""
    return delegations, since or "", until or "", docs


# --- document panel ------------------------------------------------------------

PANEL_EMPTY = ('<div class="qa-panel-empty"><p>Click a citation to read the statement here, '
               'with the cited paragraph highlighted.</p></div>')


def _find_marks(text: str, term: str) -> tuple[str, int]:
    """`text` escaped with every case-insensitive occurrence of `term` in <mark>."""
    if not term:
        return esc(text), 0
    parts = re.split(f"({re.escape(term)})", text, flags=re.I)
    out = [f'<mark class="qa-found">{esc(p)}</mark>' if i % 2 else esc(p) for i, p in enumerate(parts)]
    return "".join(out), len(parts) // 2


def render_document(doc: Document, cited: list[int] | None = None, find: str = "") -> str:
    cited = set(cited or [])
    find = (find or "").strip()
    rows, matched = [], 0
    for n, text in zip(doc.labels(), doc.paragraphs):
        body, hits = _find_marks(text, find)
        matched += bool(hits)
        cls = "qa-para is-cited" if n in cited else "qa-para"
        if find and not hits:
            cls += " qa-nomatch"
        rows.append(f'<div class="{cls}" id="p-{n}"><span class="qa-pn">{n}</span><p>{body}</p></div>')
    facts = [("Delegation", doc.delegation), ("Date", format_date(doc.date)), ("Meeting", doc.meeting),
             ("Speaker", doc.speaker), ("Document", doc.id), ("File", doc.source),
             ("Aligned", ", ".join(getattr(doc, "aligned", None) or []))]
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts if v)
    notes = "".join(f'<p class="qa-note">{esc(x)}</p>' for x in doc.notes)
    found = ""
    if find:
        found = (f'<p class="qa-find-count">{matched} of {len(doc.paragraphs)} paragraphs contain '
                 f'“{esc(find)}”</p>')
    return (f'<div class="qa-docview"><div class="qa-docview-head">'
            f'<h3 class="qa-docview-title">{esc(doc.title or doc.id)}</h3>'
            f'<a class="qa-close" href="#close" title="Close the statement" aria-label="Close the statement">×</a>'
            f'</div><dl class="qa-facts">{dl}</dl>{found}<div class="qa-paras">{"".join(rows)}</div>{notes}</div>')


def render_citation(index, fragment: str, find: str = "") -> str:
    parsed = parse_cite(fragment)
    if parsed is None:
        return PANEL_EMPTY
    doc_id, paras = parsed
    try:
        doc = index.document(doc_id)
    except KeyError:
        return f'<div class="qa-panel-empty"><p>No statement with id {esc(doc_id)} in the index.</p></div>'
    return render_document(doc, [p for p in paras if doc.has_paragraph(p)], find)


# --- statement browser -----------------------------------------------------------

SORTS = ("Newest first", "Oldest first", "Delegation", "Document id")


def list_statements(docs: list[Document], delegation: str | None = None, text: str = "",
                    sort: str = SORTS[0]) -> list[Document]:
    """The statements matching a delegation and a text (id, title, meeting, speaker), sorted."""
    text = (text or "").strip().casefold()
    out = [d for d in docs if not delegation or d.delegation == delegation]
    if text:
        out = [d for d in out if text in " ".join(x for x in (d.id, d.title, d.meeting, d.speaker, d.delegation,
                                                                *d.aliases) if x).casefold()]
    if sort == "Oldest first":
        out.sort(key=lambda d: (d.date or "9999", d.id))
    elif sort == "Delegation":
        out.sort(key=lambda d: ((d.delegation or "~").casefold(), d.date or "", d.id))
    elif sort == "Document id":
        out.sort(key=lambda d: d.id.casefold())
    else:
        out.sort(key=lambda d: (d.date or "", d.id), reverse=True)
    return out


def render_statement_list(docs: list[Document], total: int) -> str:
    if not docs:
        return '<p class="qa-panel-empty">No statement matches.</p>'
    rows = [f'<p class="qa-list-count">{len(docs)} of {total} statements</p>',
            '<table class="qa-list"><thead><tr><th>Date</th><th>Delegation</th><th>Statement</th>'
            '<th>Meeting</th></tr></thead><tbody>']
    for d in docs:
        rows.append(f'<tr><td class="qa-nowrap">{esc(d.date or "")}</td><td>{esc(d.delegation or "")}</td>'
                    f'<td>{doc_link(d.title or d.id, d.id)}<div class="qa-doc-id">{esc(d.id)} · '
                    f'{len(d.paragraphs)} ¶</div></td><td>{esc(d.meeting or "")}</td></tr>')
    rows.append("</tbody></table>")
    return "".join(rows)


# --- inputs --------------------------------------------------------------------

def make_filters(delegations=None, since: str | None = None, until: str | None = None, docs=None) -> Filters | None:
    return parse_filters(delegations, since, until, docs)


def _content_text(content) -> str:
    if isinstance(content, list):   # Gradio may normalise content to [{"type": "text", "text": ...}]
        content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    if isinstance(content, dict):
        content = content.get("text", "")
    return content if isinstance(content, str) else ""


def user_turns(history) -> list[str]:
    """Earlier user questions, oldest first, from Gradio's messages history (the chat
    stores them escaped, so they are unescaped here)."""
    out = []
    for m in history or []:
        role = m.get("role") if isinstance(m, dict) else getattr(m, "role", None)
        if role != "user":
            continue
        text = html.unescape(_content_text(m.get("content") if isinstance(m, dict) else getattr(m, "content", None)))
        if text.strip():
            out.append(text.strip())
    return out


def stored_history(value: str, limit: int = 100) -> list[dict]:
    """The conversation kept in the browser (JSON from localStorage) as chat messages;
    anything malformed gives an empty chat."""
    try:
        data = json.loads(value or "[]")
    except ValueError:
        return []
    if not isinstance(data, list):
        return []
    out = [{"role": m["role"], "content": _content_text(m.get("content"))} for m in data
           if isinstance(m, dict) and m.get("role") in ("user", "assistant")]
    return out[-limit:]


# --- Gradio UI -----------------------------------------------------------------

EXAMPLES = [
    "What did the United States say about media freedom in 2016?",
    "How did Russia and the EU differ on the January 2021 elections in Kazakhstan?",
    "Which observers did Russia say found the Kazakh vote fair?",
]


def chat_fn(service: "Service"):
    """The chat turn: a question (with the conversation so far and the filters) -> the
    answer's HTML. Also the public `/chat` endpoint of gradio_client."""
    def chat(message: str, history: list | None = None, delegations: list[str] | None = None,
             since: str | None = None, until: str | None = None, statements: list[str] | None = None) -> str:
        # /chat is public: a null or non-text message is an empty question, never a traceback
        question = message.strip() if isinstance(message, str) else ""
        if not question:
            return '<div class="qa-answer"><p>Ask a question about the statements.</p></div>'
        earlier = user_turns(history)
        try:
            filters = make_filters(delegations, since, until, statements)
            # QuestionError (over the caps) is a ValueError; Busy when the queue is full
            answer = service.ask(question, filters=filters, history=earlier)
            wider = []
            if not answer.result.abstained and answer.hits:
                wider = service.search(answer.result.query, k=15, filters=filters).hits
        except (ValueError, Busy) as e:
            return render_error(str(e))
        return render_answer(answer, question, link=permalink(question, filters, earlier),
                             suggestions=followups(answer, wider),
                             rewritten=bool(earlier) and is_followup(question))
    return chat


def header_html(service) -> str:
    n = len(service.index.documents)
    return ('<div class="qa-top"><div><h1>OSCE statements: cited answers</h1><p>Answers quote the statements '
            'verbatim; every quote and passage is cited to document and paragraph. '
            f'<span id="qa-count">{n} statement{"s" if n != 1 else ""} indexed</span>.</p></div>'
            '<div class="qa-theme" role="group" aria-label="Colour theme">'
            '<a href="#theme=light" role="button" class="qa-theme-btn" id="qa-theme-light">Light</a>'
            '<a href="#theme=dark" role="button" class="qa-theme-btn" id="qa-theme-dark">Dark</a>'
            '<a href="#theme=system" role="button" class="qa-theme-btn" id="qa-theme-system">System</a></div></div>')


def build_demo(service: "Service"):
    import gradio as gr

    from . import upload
    from .app_assets import EXPORT_JS, LOAD_JS, READ_ACTION_JS, SAVE_JS, SCROLL_ANSWER_JS, SCROLL_JS

    chat = chat_fn(service)
    hidden = {"elem_classes": ["qa-hidden"], "show_label": False, "container": False}

    def delegation_choices():
        return service.delegations()

    with gr.Blocks(title="OSCE statements — cited answers", fill_height=False) as demo:
        header = gr.HTML(header_html(service), elem_id="qa-header")
        with gr.Row(equal_height=False, elem_id="qa-main"):
            with gr.Column(scale=3, min_width=320, elem_id="qa-left"):
                with gr.Tabs(elem_id="qa-tabs"):
                    with gr.Tab("Chat", id="chat", elem_id="qa-tab-chat"):
                        chatbot = gr.Chatbot(elem_id="chatbot", height="auto", min_height=260, autoscroll=False,
                                             latex_delimiters=[], sanitize_html=True, show_label=False,
                                             buttons=[], feedback_options=None,
                                             examples=[{"text": q} for q in EXAMPLES],
                                             placeholder="Ask what a delegation said; click a citation to "
                                                         "read it in full.")
                        with gr.Column(elem_id="qa-compose"):
                            chips = gr.HTML(render_chips(), elem_id="qa-chips")
                            textbox = gr.Textbox(elem_id="qa-input", placeholder="Ask about the statements…",
                                                 show_label=False, lines=1, max_lines=4, submit_btn=True,
                                                 autofocus=True)
                            with gr.Row(elem_id="qa-chat-actions"):
                                clear = gr.Button("Clear", elem_id="qa-clear", size="sm", variant="secondary")
                                export = gr.Button("Export chat (.md)", elem_id="qa-export", size="sm",
                                                   variant="secondary")
                        with gr.Accordion("Filters: delegation, dates, statement", open=False,
                                          elem_id="qa-filters"):
                            with gr.Row():
                                delegation = gr.Dropdown(choices=delegation_choices(), value=[], multiselect=True,
                                                         label="Delegation", elem_id="qa-delegation", scale=1)
                                statements = gr.Dropdown(choices=service.statement_choices(), value=[],
                                                         multiselect=True, label="Statement",
                                                         elem_id="qa-statement", scale=2)
                            with gr.Row():
                                since = gr.Textbox(label="Since", placeholder="YYYY, YYYY-MM or YYYY-MM-DD",
                                                   elem_id="qa-since")
                                until = gr.Textbox(label="Until (inclusive)", placeholder="YYYY, YYYY-MM or "
                                                   "YYYY-MM-DD", elem_id="qa-until")
                    with gr.Tab("Statements", id="browse", elem_id="qa-tab-browse"):
                        with gr.Row():
                            b_deleg = gr.Dropdown(choices=["All delegations", *delegation_choices()],
                                                  value="All delegations", label="Delegation",
                                                  elem_id="qa-browse-delegation")
                            b_text = gr.Textbox(label="Filter", placeholder="id, title, meeting or speaker",
                                                elem_id="qa-browse-text")
                            b_sort = gr.Radio(list(SORTS), value=SORTS[0], label="Sort",
                                              elem_id="qa-browse-sort")
                        browse = gr.HTML(elem_id="qa-browser")
                    with gr.Tab("Add a statement", id="add", elem_id="qa-tab-add"):
                        gr.HTML('<p class="qa-help">Add your own statement (.txt, .md, .pdf, .docx, .html): '
                                'check what was read and correct it, then add it to the index. It is saved '
                                'in the corpus folder (<code>uploads/</code>) and searchable at once.</p>')
                        up_file = gr.File(label="Statement file", elem_id="qa-upload-file", type="filepath")
                        up_preview = gr.HTML(elem_id="qa-upload-preview")
                        with gr.Row():
                            up_fields = {k: gr.Textbox(label=label, elem_id=f"qa-upload-{k}")
                                         for k, label in upload.EDITABLE}
                        up_add = gr.Button("Add to the index", elem_id="qa-upload-add", variant="primary",
                                           interactive=False)
                        up_result = gr.HTML(elem_id="qa-upload-result")
            with gr.Column(scale=2, min_width=300, elem_id="qa-side"):
                find = gr.Textbox(label="Find in this statement", placeholder="Find in this statement",
                                  show_label=False, elem_id="qa-find",
                                  container=False)
                panel = gr.HTML(PANEL_EMPTY, elem_id="qa-doc-panel")
        # hidden plumbing: the page script passes fragments and browser storage through these
        act_box = gr.Textbox(elem_id="qa-act-box", **hidden)
        cite_btn = gr.Button("open", elem_id="qa-cite-btn", elem_classes=["qa-hidden"])
        rm_btn = gr.Button("remove filter", elem_id="qa-rm-btn", elem_classes=["qa-hidden"])
        store = gr.Textbox(elem_id="qa-store", **hidden)
        url_box = gr.Textbox(elem_id="qa-url", **hidden)
        open_frag = gr.State("")          # the fragment of the statement in the panel

        filters_in = [delegation, since, until, statements]

        def respond(message, history, delegations, since_v, until_v, docs):
            question = (message or "").strip()
            if not question:
                return history, message, gr.update()
            html_ = chat(question, history, delegations, since_v, until_v, docs)
            history = list(history or []) + [{"role": "user", "content": esc(question)},
                                             {"role": "assistant", "content": html_}]
            return history, "", json.dumps(stored_history(json.dumps(history)))

        def respond_example(evt: gr.SelectData, history, delegations, since_v, until_v, docs):
            value = evt.value.get("text", "") if isinstance(evt.value, dict) else str(evt.value or "")
            return respond(value, history, delegations, since_v, until_v, docs)
        # a real class, not the string `from __future__ import annotations` leaves: Gradio reads it
        respond_example.__annotations__["evt"] = gr.SelectData

        answered = [chatbot, textbox, store]
        textbox.submit(respond, [textbox, chatbot, *filters_in], answered, api_visibility="private",
                       show_progress="minimal", show_progress_on=[chatbot]
                       ).then(None, js=SCROLL_ANSWER_JS)
        chatbot.example_select(respond_example, [chatbot, *filters_in], answered, api_visibility="private"
                               ).then(None, js=SCROLL_ANSWER_JS)
        store.change(None, inputs=[store], js=SAVE_JS, api_visibility="private", queue=False)
        gr.api(chat, api_name="chat", api_description="Answer a question from the statements; returns the "
               "answer as HTML. For JSON use GET /api/ask.")

        for comp in filters_in:
            comp.change(lambda *v: render_chips(*v), filters_in, chips, api_visibility="private",
                        show_progress="hidden", queue=False)
        rm_btn.click(lambda frag, *v: remove_filter(frag, *v), [act_box, *filters_in], filters_in,
                     js=READ_ACTION_JS, api_visibility="private", show_progress="hidden", queue=False)

        def empty_all():
            return ([], [], "", "", [], render_chips(), PANEL_EMPTY, "", "", "")
        clear.click(empty_all, None, [chatbot, *filters_in, chips, panel, open_frag, find, store],
                    api_visibility="private", queue=False
                    ).then(None, js="() => { document.body.classList.remove('qa-panel-open'); }")
        chatbot.clear(empty_all, None, [chatbot, *filters_in, chips, panel, open_frag, find, store],
                      api_visibility="private", queue=False)
        export.click(None, js=EXPORT_JS, api_visibility="private", queue=False)

        # the statement panel
        def open_statement(frag):
            return render_citation(service.index, frag), ("" if parse_cite(frag) is None else frag), ""
        cite_btn.click(open_statement, [act_box], [panel, open_frag, find], js=READ_ACTION_JS,
                       api_visibility="private", show_progress="hidden", queue=False).then(None, js=SCROLL_JS)
        find.change(lambda term, frag: render_citation(service.index, frag, term) if frag else PANEL_EMPTY,
                    [find, open_frag], panel, api_visibility="private", show_progress="hidden", queue=False)

        # the statement browser
        def browse_list(deleg, text, sort):
            docs = service.index.documents
            chosen = None if deleg in (None, "", "All delegations") else deleg
            return render_statement_list(list_statements(docs, chosen, text, sort), len(docs))
        for comp in (b_deleg, b_text, b_sort):
            comp.change(browse_list, [b_deleg, b_text, b_sort], browse, api_visibility="private",
                        show_progress="hidden", queue=False)

        # adding a statement
        def preview(path):
            if not path:
                return ("", *[""] * len(up_fields), gr.update(interactive=False), "")
            try:
                doc = upload.parse_upload(upload.read_upload(path), upload.original_name(path))
            except upload.UploadError as e:
                return (render_upload_error(str(e)), *[""] * len(up_fields), gr.update(interactive=False), "")
            values = [upload.field_value(doc, k) for k, _ in upload.EDITABLE]
            return (render_upload_preview(doc), *values, gr.update(interactive=True), "")

        def add(path, *values, progress=gr.Progress()):
            meta = dict(zip((k for k, _ in upload.EDITABLE), values))
            no_change = (gr.update(),) * 5
            if not path:
                return (render_upload_error("Choose a file first."), *no_change)
            try:
                progress(0.1, desc="Reading the statement")
                doc, stats = upload.add_statement(service, upload.read_upload(path), upload.original_name(path),
                                                  meta, progress=lambda f, msg: progress(f, desc=msg))
            except upload.UploadError as e:
                return (render_upload_error(str(e)), *no_change)
            deleg = delegation_choices()
            return (render_upload_done(doc, stats), header_html(service), gr.update(choices=deleg),
                    gr.update(choices=service.statement_choices()), gr.update(choices=["All delegations", *deleg]),
                    gr.update(interactive=False))

        up_file.change(preview, [up_file], [up_preview, *up_fields.values(), up_add, up_result],
                       api_visibility="private")
        up_add.click(add, [up_file, *up_fields.values()],
                     [up_result, header, delegation, statements, b_deleg, up_add],
                     api_visibility="private", show_progress="full", show_progress_on=[up_result]
                     ).then(browse_list, [b_deleg, b_text, b_sort], browse, api_visibility="private")

        # on load: a permalink's question, else the conversation kept in this browser
        def on_load(stored, search, sort):
            docs = service.index.documents
            listing = render_statement_list(list_statements(docs, None, "", sort or SORTS[0]), len(docs))
            link = parse_permalink(search)
            if link is None:
                history = stored_history(stored)
                return (history, gr.update(), gr.update(), gr.update(), gr.update(), gr.update(), listing)
            from .delegations import canonical_delegation
            known = set(delegation_choices())   # a link may say "EU"; the filter shows "European Union"
            delegs = [c for c in dict.fromkeys(canonical_delegation(d) for d in link["delegation"]) if c in known]
            doc_ids = [d for d in link["doc"] if d in {x.id for x in docs}]
            prior = [{"role": "user", "content": esc(h)} for h in link["history"][:20]]
            html_ = chat(link["q"], prior, delegs, link["since"], link["until"], doc_ids)
            history = [{"role": "user", "content": esc(link["q"])}, {"role": "assistant", "content": html_}]
            return (history, delegs, link["since"], link["until"], doc_ids, json.dumps(history), listing)
        demo.load(on_load, [store, url_box, b_sort], [chatbot, *filters_in, store, browse], js=LOAD_JS,
                  api_visibility="private").then(
            None, js="() => { if (new URLSearchParams(location.search).get('q')) "
                     "{ history.replaceState(null, '', location.pathname); } "
                     "document.body.classList.add('qa-ready'); }")
    return demo


def render_upload_error(message: str) -> str:
    return f'<div class="qa-upload-error" role="alert"><p>{esc(message)}</p><p>Nothing was changed.</p></div>'


def render_upload_preview(doc: Document) -> str:
    first = "".join(f'<div class="qa-para"><span class="qa-pn">{n}</span><p>{esc(t)}</p></div>'
                    for n, t in list(zip(doc.labels(), doc.paragraphs))[:3])
    more = len(doc.paragraphs) - 3
    rest = f'<p class="qa-note">… and {more} more paragraph{"s" if more != 1 else ""}.</p>' if more > 0 else ""
    return (f'<div class="qa-upload-ok"><p>Read <strong>{len(doc.paragraphs)} paragraph'
            f'{"s" if len(doc.paragraphs) != 1 else ""}</strong> from {esc(doc.source)}. Check the details below '
            f'and correct them if needed, then add it.</p>{first}{rest}</div>')


def render_upload_done(doc: Document, stats) -> str:
    return (f'<div class="qa-upload-ok" role="status"><p>Added {doc_link(doc.title or doc.id, doc.id)} '
            f'({esc(doc.id)}, {len(doc.paragraphs)} paragraphs): {stats.embedded} new passage'
            f'{"s" if stats.embedded != 1 else ""} embedded, {stats.documents} statements in the index. '
            f'It is searchable now.</p></div>')


# --- the API's description page (/api/docs) ----------------------------------------

def render_api_docs(openapi: dict) -> str:
    """A plain page describing the JSON API from its OpenAPI schema: served by the app
    itself, so it works offline (FastAPI's Swagger page loads its assets from a CDN)."""
    rows = []
    for path, ops in sorted(openapi.get("paths", {}).items()):
        for method, op in ops.items():
            params = [(p.get("name"), p.get("in"), p.get("required", False), p.get("description", ""))
                      for p in op.get("parameters", [])]
            body = op.get("requestBody", {}).get("content", {})
            for ctype, spec in body.items():
                schema = spec.get("schema", {})
                ref = schema.get("$ref", "").rsplit("/", 1)[-1]
                if ref:
                    schema = openapi.get("components", {}).get("schemas", {}).get(ref, {})
                req = set(schema.get("required", []))
                params += [(name, f"body ({ctype})", name in req, prop.get("description", ""))
                           for name, prop in schema.get("properties", {}).items()]
            plist = "".join(f"<li><code>{html.escape(str(n))}</code> ({html.escape(str(where))}"
                            f"{', required' if req_ else ''}){' — ' + html.escape(d) if d else ''}</li>"
                            for n, where, req_, d in params)
            rows.append(f"<section><h2><code>{method.upper()} {html.escape(path)}</code></h2>"
                        f"<p>{html.escape(op.get('summary', ''))}</p>"
                        f"<p>{html.escape(op.get('description', '') or '')}</p>"
                        f"{'<ul>' + plist + '</ul>' if plist else ''}</section>")
    title = html.escape(openapi.get("info", {}).get("title", "API"))
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
            "line-height:1.5;color:#0f172a;background:#fff}code{background:#f1f5f9;padding:0 .2em}"
            "@media (prefers-color-scheme: dark){body{color:#e2e8f0;background:#0f172a}"
            "code{background:#1e293b}}</style></head>"
            f"<body><h1>{title}</h1><p>The JSON API of this app. The machine-readable description is "
            "<a href='/api/openapi.json'>/api/openapi.json</a>; docs/app.md has examples.</p>"
            f"{''.join(rows)}</body></html>")
