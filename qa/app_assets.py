"""The chat page's stylesheet and script (used by qa/app_ui.py).

Colours: every colour our markup uses is a CSS variable with a light and a dark
value (Gradio puts class "dark" on <body> in dark mode). The pairs were chosen
for WCAG AA (4.5:1 for text); tests/browser/test_looks.py measures them on the
rendered page in both themes.

Script: one click handler (capture phase, so it runs before the chat's own link
handling, which would open a new tab) for the action links the rendered HTML
carries (see qa/app_ui.py), the theme toggle kept in localStorage, and the
conversation kept in localStorage so that a reload keeps it.
"""

# Media queries go in the page head, not in CSS: Gradio scopes every rule inside an
# @media block of the app's CSS to its container, so a rule on <body> would never match.
PHONE_CSS = """
@media (max-width: 768px) {
  .gradio-container { padding: 0 !important; }
  .gradio-container .main { padding-left: .4rem !important; padding-right: .4rem !important; }
  .qa-top h1 { font-size: 1.15rem !important; }
  .qa-top p { font-size: .85em !important; }
  #qa-main { flex-direction: column; }
  #qa-left, #qa-side { min-width: 0 !important; width: 100% !important; }
  /* the statement opens as a full-screen drawer over the chat: the find box on top, the
     statement (its own scroll box, title sticky) below; !important throughout, as Gradio's
     scoped copy of the app CSS is more specific than these rules */
  #qa-side { display: none !important; }
  body.qa-panel-open #qa-side { display: block !important; position: static !important; }
  body.qa-panel-open #qa-find { position: fixed !important; top: 0 !important; left: 0 !important;
    right: 0 !important; height: 3.4rem !important; z-index: 1001 !important; margin: 0 !important;
    padding: .4rem !important; background: var(--body-background-fill) !important; }
  body.qa-panel-open #qa-doc-panel { position: fixed !important; top: 3.4rem !important; left: 0 !important;
    right: 0 !important; bottom: 0 !important; z-index: 1000 !important; max-height: none !important;
    margin: 0 !important; border-radius: 0 !important; overflow-y: auto !important; }
  .qa-list th:nth-child(4), .qa-list td:nth-child(4) { display: none; }
}
"""

HEAD = """
<style>""" + PHONE_CSS + """</style>
<script>
(function () {
  var THEME_KEY = 'qa-theme';
  function themePref() {
    try { return localStorage.getItem(THEME_KEY) || 'system'; } catch (e) { return 'system'; }
  }
  function wantDark() {
    var p = themePref();
    return p === 'dark' || (p === 'system' && window.matchMedia('(prefers-color-scheme: dark)').matches);
  }
  // Gradio sets body.dark itself from the system setting; this keeps the user's choice.
  function applyTheme() {
    if (!document.body) { return; }
    var dark = wantDark();
    if (document.body.classList.contains('dark') !== dark) { document.body.classList.toggle('dark', dark); }
    var p = themePref();
    document.querySelectorAll('.qa-theme-btn').forEach(function (b) {
      var on = b.id === 'qa-theme-' + p;
      b.classList.toggle('is-on', on);
      b.setAttribute('aria-pressed', on ? 'true' : 'false');
    });
  }
  window.__qaApplyTheme = applyTheme;
  // Gradio may add this head script after the document has loaded: start now if so.
  function start() {
    applyTheme();
    new MutationObserver(applyTheme).observe(document.body, {attributes: true, attributeFilter: ['class']});
    // the theme buttons are rendered by Gradio after load: mark the active one when they appear
    new MutationObserver(function () {
      var b = document.querySelector('.qa-theme-btn');
      if (b && !b.hasAttribute('aria-pressed')) { applyTheme(); }
    }).observe(document.body, {childList: true, subtree: true});
    window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', applyTheme);
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }

  function flash(a, text) {
    var old = a.textContent;
    a.textContent = text;
    setTimeout(function () { a.textContent = old; }, 1500);
  }
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) { return navigator.clipboard.writeText(text); }
    var ta = document.createElement('textarea');
    ta.value = text; document.body.appendChild(ta); ta.select();
    document.execCommand('copy'); ta.remove();
    return Promise.resolve();
  }
  window.__qaCopyText = copyText;
  function press(id, frag) {
    window.__qaAction = frag;
    var btn = document.getElementById(id);
    if (btn) { btn.click(); }
  }
  function askQuestion(q) {
    var ta = document.querySelector('#qa-input textarea');
    if (!ta) { return; }
    ta.value = q;
    ta.dispatchEvent(new Event('input', {bubbles: true}));
    setTimeout(function () {
      var b = document.querySelector('#qa-input [data-testid="submit-button"]') ||
              document.querySelector('#qa-input button');
      if (b) { b.click(); }
    }, 50);
  }
  window.__qaAsk = askQuestion;

  document.addEventListener('click', function (e) {
    var a = e.target && e.target.closest ? e.target.closest('a[href^="#"]') : null;
    if (!a) { return; }
    var href = a.getAttribute('href');
    var m = /^#(cite|doc|close|rmfilter|ask|theme|copy|share)(=|$)/.exec(href);
    if (!m) { return; }
    e.preventDefault();
    e.stopPropagation();
    var kind = m[1], value = href.slice(m[0].length);
    if (kind === 'cite' || kind === 'doc' || kind === 'close') {
      if (kind === 'close') { document.body.classList.remove('qa-panel-open'); }
      press('qa-cite-btn', href);
    } else if (kind === 'rmfilter') {
      press('qa-rm-btn', href);
    } else if (kind === 'ask') {
      askQuestion(decodeURIComponent(value));
    } else if (kind === 'theme') {
      try { localStorage.setItem(THEME_KEY, value); } catch (err) {}
      applyTheme();
    } else if (kind === 'copy') {
      var md = a.closest('.qa-answer') && a.closest('.qa-answer').querySelector('.qa-md');
      if (md) { copyText(md.textContent).then(function () { flash(a, 'Copied ✓'); }); }
    } else if (kind === 'share') {
      var url = location.origin + location.pathname + decodeURIComponent(value);
      copyText(url).then(function () { flash(a, 'Link copied ✓'); });
    }
  }, true);
})();
</script>
"""

# Load event: the conversation kept in this browser and the page's query string
# (a permalink) go to the server as the event's inputs.
LOAD_JS = "(stored, search, sort) => [localStorage.getItem('qa-chat') || '', location.search, sort]"
SAVE_JS = """(v) => {
  try { if (v) { localStorage.setItem('qa-chat', v); } else { localStorage.removeItem('qa-chat'); } } catch (e) {}
}"""
# The fragment a clicked link left for the server replaces the hidden textbox's value.
READ_ACTION_JS = """(...args) => {
  args[0] = window.__qaAction || args[0];
  return args.length === 1 ? args[0] : args;
}"""
# After an answer: show the question and the lead under it, not the end of a long answer.
SCROLL_ANSWER_JS = """() => {
  setTimeout(function () {
    var turns = document.querySelectorAll('#chatbot [data-testid="user"]');
    if (turns.length) { turns[turns.length - 1].scrollIntoView({block: 'start', behavior: 'instant'}); }
  }, 50);
}"""
# After the panel changed: open it (a drawer on a phone), show the cited paragraph.
SCROLL_JS = """() => {
  setTimeout(function () {
    var open = !!document.querySelector('#qa-doc-panel .qa-docview');
    document.body.classList.toggle('qa-panel-open', open);
    if (!open) { return; }
    // scroll only the statement's own box, never the page
    var box = document.getElementById('qa-doc-panel');
    var el = document.querySelector('#qa-doc-panel .qa-para.is-cited');
    if (!box) { return; }
    box.scrollTop = 0;
    if (el) {
      var head = document.querySelector('#qa-doc-panel .qa-docview-head');
      var offset = el.getBoundingClientRect().top - box.getBoundingClientRect().top;
      box.scrollTop = Math.max(0, offset - (head ? head.offsetHeight : 0) - 40);
    }
  }, 50);
}"""
# Export: the questions and each answer's text version (its .qa-md) as one Markdown file.
EXPORT_JS = """() => {
  var parts = ['# OSCE statements: a conversation', ''];
  document.querySelectorAll('#chatbot [data-testid="user"], #chatbot [data-testid="bot"]').forEach(function (m) {
    if (m.getAttribute('data-testid') === 'user') {
      parts.push('## ' + m.innerText.trim(), '');
    } else {
      var md = m.querySelector('.qa-md');
      parts.push(md ? md.textContent : m.innerText.trim(), '');
    }
  });
  var blob = new Blob([parts.join('\\n')], {type: 'text/markdown'});
  var a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = 'osce-qa-chat.md';
  document.body.appendChild(a); a.click(); a.remove();
  setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
}"""

CSS = """
:root, body {
  --qa-accent: #1d4ed8; --qa-text: #0f172a; --qa-muted: #475569; --qa-border: #e2e8f0;
  --qa-surface: #ffffff; --qa-hl-bg: #fef08a; --qa-hl-fg: #1c1917;
  --qa-cite-bg: #e8eefc; --qa-cite-fg: #1e40af; --qa-cite-border: #c7d5f7;
  --qa-cited-bg: #fef9c3; --qa-cited-bar: #a16207;
  --qa-warn-bg: #fff7ed; --qa-warn-fg: #7c2d12; --qa-warn-border: #fed7aa;
  --qa-ok-bg: #f0fdf4; --qa-ok-fg: #14532d; --qa-ok-border: #bbf7d0;
  --qa-chip-bg: #f1f5f9; --qa-chip-fg: #1e293b;
}
body.dark {
  --qa-accent: #93c5fd; --qa-text: #e2e8f0; --qa-muted: #a9b4c4; --qa-border: #334155;
  --qa-surface: #111827; --qa-hl-bg: #713f12; --qa-hl-fg: #fef9c3;
  --qa-cite-bg: #1e3a8a; --qa-cite-fg: #e0e7ff; --qa-cite-border: #3b5bdb;
  --qa-cited-bg: #3f2a06; --qa-cited-bar: #eab308;
  --qa-warn-bg: #431407; --qa-warn-fg: #fed7aa; --qa-warn-border: #9a3412;
  --qa-ok-bg: #052e16; --qa-ok-fg: #bbf7d0; --qa-ok-border: #166534;
  --qa-chip-bg: #1e293b; --qa-chip-fg: #e2e8f0;
}
/* clip, not hidden: a hidden overflow would make it a scroll box and stop the statement
   panel from sticking in view while the page scrolls */
.gradio-container { max-width: 1400px !important; overflow-x: clip !important; overflow-y: visible !important; }
.qa-hidden { display: none !important; }
.qa-top { display: flex; justify-content: space-between; align-items: flex-start; gap: .8rem; flex-wrap: wrap; }
.qa-top h1 { font-size: 1.45rem; margin: 0 0 .15rem 0; }
.qa-top p { margin: 0; color: var(--qa-muted); }
.qa-theme { display: inline-flex; border: 1px solid var(--qa-border); border-radius: 8px; overflow: hidden; }
.qa-theme-btn { padding: .25rem .6rem; font-size: .85em; color: var(--qa-text) !important;
  text-decoration: none !important; background: var(--qa-surface); }
.qa-theme-btn.is-on { background: var(--qa-accent); color: var(--qa-surface) !important; font-weight: 600; }

/* the chat grows with its content; the page scrolls, the question box stays in reach */
#chatbot { overflow-wrap: anywhere; }
#qa-compose { position: sticky; bottom: 0; z-index: 5; background: var(--body-background-fill);
  padding-top: .3rem; }
#qa-chat-actions { gap: .4rem; }
#qa-chat-actions button { flex: 0 0 auto !important; min-width: 0 !important; }

.qa-answer { line-height: 1.55; color: var(--qa-text); }
.qa-answer p { margin: 0; }
.qa-searched { font-size: .85em; color: var(--qa-muted); margin-bottom: .5rem !important; }
.qa-searched-q { font-style: italic; }
.qa-lead { border-left: 3px solid var(--qa-accent); padding: .1rem 0 .1rem .8rem; margin-bottom: .9rem; }
.qa-lead-s { margin: .25rem 0 !important; }
.qa-quote { font-style: italic; color: var(--qa-text); }
a.qa-cite { display: inline-block; max-width: 100%; overflow-wrap: anywhere; font-size: .82em; font-weight: 600;
  padding: 0 .4em; border-radius: 4px; background: var(--qa-cite-bg); color: var(--qa-cite-fg) !important;
  text-decoration: none !important; border: 1px solid var(--qa-cite-border); cursor: pointer; }
a.qa-cite:hover, a.qa-cite:focus { background: var(--qa-cite-fg); color: var(--qa-cite-bg) !important; }
.qa-sources-h { font-size: .78em; letter-spacing: .06em; text-transform: uppercase; color: var(--qa-muted);
  margin: .6rem 0 .4rem 0; font-weight: 600; }
.qa-doc { border: 1px solid var(--qa-border); border-radius: 8px; padding: .6rem .8rem; margin: .5rem 0;
  background: var(--qa-surface); }
.qa-doc-meta { font-size: .85em; font-weight: 600; color: var(--qa-text); }
.qa-doc-title { font-size: .92em; color: var(--qa-muted); }
.qa-doc-id { font-size: .75em; color: var(--qa-muted); font-family: var(--font-mono); overflow-wrap: anywhere; }
.qa-passage { margin-top: .5rem; padding-top: .45rem; border-top: 1px dashed var(--qa-border); }
.qa-passage-cite { margin-bottom: .2rem; }
.qa-ptext { font-size: .93em; color: var(--qa-text); }
mark.qa-hl, mark.qa-found { background: var(--qa-hl-bg); color: var(--qa-hl-fg); padding: 0 .1em; border-radius: 2px; }
.qa-pn { color: var(--qa-muted); font-size: .8em; font-weight: 600; margin-right: .3em; }
.qa-refusal { color: var(--qa-warn-fg); background: var(--qa-warn-bg); border: 1px solid var(--qa-warn-border);
  border-radius: 6px; padding: .5rem .75rem; }
.qa-refusal p, .qa-refusal li { color: var(--qa-warn-fg); }
.qa-refusal-h { font-weight: 600; }
.qa-nearest { margin: .3rem 0 .3rem 1.1rem; padding: 0; }
.qa-actions { display: flex; gap: .8rem; margin-top: .5rem; font-size: .85em; }
a.qa-act { color: var(--qa-accent) !important; text-decoration: underline; cursor: pointer; }
.qa-suggest { display: flex; flex-wrap: wrap; gap: .35rem; align-items: center; margin-top: .45rem; }
.qa-suggest-h { font-size: .85em; color: var(--qa-muted); }
.qa-chip { display: inline-flex; align-items: center; gap: .3rem; max-width: 100%; overflow-wrap: anywhere;
  font-size: .85em; padding: .1rem .55rem; border-radius: 999px; background: var(--qa-chip-bg);
  color: var(--qa-chip-fg) !important; border: 1px solid var(--qa-border); text-decoration: none !important; }
a.qa-ask { cursor: pointer; }
.qa-md { display: none !important; }
.qa-chips { display: flex; flex-wrap: wrap; gap: .35rem; align-items: center; padding: .2rem 0; }
.qa-chips-empty { padding: 0; }
.qa-chips-h { font-size: .85em; color: var(--qa-muted); }
a.qa-chip-x { color: var(--qa-chip-fg) !important; text-decoration: none !important; font-weight: 700;
  padding: 0 .2rem; cursor: pointer; }

/* the statement panel: a column beside the chat, a drawer on a phone */
#qa-side { position: sticky; top: .5rem; align-self: flex-start; }
#qa-doc-panel { max-height: 80vh; overflow-y: auto !important; border: 1px solid var(--qa-border);
  border-radius: 8px; padding: 0 1rem .8rem 1rem; background: var(--qa-surface); color: var(--qa-text); }
.qa-panel-empty { color: var(--qa-muted); font-size: .95em; padding-top: .8rem; }
.qa-docview-head { position: sticky; top: 0; z-index: 2; display: flex; justify-content: space-between;
  align-items: flex-start; gap: .5rem; background: var(--qa-surface); padding: .8rem 0 .4rem 0;
  border-bottom: 1px solid var(--qa-border); margin-bottom: .5rem; }
.qa-docview-title { margin: 0; font-size: 1.05rem; color: var(--qa-text); overflow-wrap: anywhere; }
a.qa-close { font-size: 1.5rem; line-height: 1; text-decoration: none !important; color: var(--qa-text) !important;
  padding: 0 .3rem; cursor: pointer; }
.qa-facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem; font-size: .82em;
  color: var(--qa-muted); margin: 0 0 .8rem 0; }
.qa-facts dt { font-weight: 600; } .qa-facts dd { margin: 0; overflow-wrap: anywhere; }
.qa-para { display: flex; gap: .6rem; padding: .35rem .5rem; border-radius: 6px; margin: .15rem 0; }
.qa-para p { margin: 0; line-height: 1.5; font-size: .93em; color: var(--qa-text); }
.qa-para .qa-pn { min-width: 1.6em; text-align: right; padding-top: .1em; }
.qa-para.is-cited { background: var(--qa-cited-bg); box-shadow: inset 3px 0 0 var(--qa-cited-bar); }
.qa-para.qa-nomatch .qa-pn { text-decoration: line-through; }
.qa-find-count { font-size: .85em; color: var(--qa-muted); }
.qa-note { font-size: .8em; color: var(--qa-muted); }

/* the statement browser and the upload tab */
.qa-list { width: 100%; border-collapse: collapse; font-size: .9em; color: var(--qa-text); }
.qa-list th, .qa-list td { text-align: left; padding: .35rem .4rem; border-bottom: 1px solid var(--qa-border);
  vertical-align: top; overflow-wrap: anywhere; }
.qa-list-count { font-size: .85em; color: var(--qa-muted); }
.qa-nowrap { white-space: nowrap; }
a.qa-doclink { color: var(--qa-accent) !important; cursor: pointer; }
.qa-help { color: var(--qa-muted); }
.qa-upload-error { color: var(--qa-warn-fg); background: var(--qa-warn-bg); border: 1px solid var(--qa-warn-border);
  border-radius: 6px; padding: .5rem .75rem; }
.qa-upload-error p { color: var(--qa-warn-fg); margin: 0; }
.qa-upload-ok { color: var(--qa-ok-fg); background: var(--qa-ok-bg); border: 1px solid var(--qa-ok-border);
  border-radius: 6px; padding: .5rem .75rem; }
.qa-upload-ok p { color: var(--qa-ok-fg); margin: 0 0 .3rem 0; }
.qa-upload-ok a.qa-doclink { color: var(--qa-ok-fg) !important; font-weight: 600; }

"""
