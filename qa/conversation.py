"""Follow-up questions without a language model, and the names a question uses.

A follow-up ("And how did Malta judge them?") leans on an earlier turn for
its topic; a question that stands on its own ("Who is Tokayev?") is searched on
its own, whatever came before. `is_followup` tells them apart: an elliptical
opening ("And the EU?", "What about 2016?"), a demonstrative pointing back
("these elections"), a pronoun with nothing in the question to refer to, or a
question of one content word with no name or year. A follow-up is searched
with the topic words of the turn it follows; a delegation or a year it names
replaces the earlier turn's, so "EU ... elections" followed by "And Russia?"
searches for Russia on the elections, not for the EU.

The same function serves `qa eval` (the `history` field) and the chat app.
"""

from __future__ import annotations

import re

from .delegations import CAPITALS, DELEGATION_ALIASES, capital_of, delegation_mentions, trie_alternation
from .text import FUNCTION_WORDS, MONTH_NAME, MONTHS

_WORD = re.compile(r"[\w'’.-]+")
# An elliptical opening: the question continues the previous one ("And the EU?", "What about 2016?").
_FOLLOWUP_START = re.compile(
    r"^\s*(and|but|also|so|then|what about|how about|and what|and how|what else|same|did they|do they|"
    r"were they|was it|is that)\b", re.I)
# Words that point back. A personal pronoun may find its antecedent in the question itself
# ("What did Russia say about its observers?"); a demonstrative before a noun ("these
# elections") or a pronoun with nothing before it to refer to needs the earlier turn.
_PRONOUN = re.compile(r"\b(they|them|their|theirs|it|its|he|him|his|she|her)\b", re.I)
_POINTING = re.compile(r"\b(this|these|those|such|the latter|the former|the above|(?:the|that|this) same|"
                       r"of the (?:two|three|four))\b"
                       r"|\bthat\s+(?:year|vote|election|elections|statement|meeting|report|time|day|session|"
                       r"mission|country|delegation|speech|decision|issue|point|law|document|"
                       r"subject|topic|matter|question|theme|area|aspect|front|score)\b"   # "on that front"
                       r"|\b(?:that|then)\s*\?*\s*$"
                       # "Did Malta comment on that as well?", "What did Malta say about that in its reply?"
                       r"|\b(?:on|about|to|with|regarding|over)\s+that(?=\s*[?.!,]|\s+(?:as\s+well|too|either|also|"
                       r"in|at|during|when|then|before|after|later|earlier)\b)", re.I)
# ... plus the verbs of asking about a statement: they carry no topic into a follow-up
_STOP = FUNCTION_WORDS | set("""said say says told think view views position stance assess assessed assessment
react respond responded take opinion verdict reaction response""".split())


# Verbs of speaking or judging: "did Russia <verb>" makes Russia the speaker.
_SPEECH_VERBS = r"""say|said|says|tell|told|state|stated|states|think|thinks|thought|see|sees|saw|view|views|viewed|
assess|assessed|assesses|claim|claimed|claims|call|called|calls|argue|argued|argues|praise|praised|praises|
criticise|criticised|criticises|criticize|criticized|criticizes|urge|urged|urges|welcome|welcomed|welcomes|
note|noted|notes|describe|described|describes|characterise|characterised|characterize|characterized|promise|
promised|pledge|pledged|propose|proposed|proposes|refer|referred|acknowledge|acknowledged|consider|considered|
considers|ask|asked|asks|accuse|accused|express|expressed|raise|raised|reply|replied|respond|responded|react|
reacted|stress|stressed|emphasise|emphasised|emphasize|emphasized|highlight|highlighted|mention|mentioned|report|
reported|announce|announced|insist|insisted|suggest|suggested|recommend|recommended|warn|warned|condemn|condemned|
commend|commended|congratulate|congratulated|thank|thanked|complain|complained|question|questioned|dispute|
disputed|reject|rejected|support|supported|endorse|endorsed|object|objected|differ|agree|agreed|disagree|
disagreed|clash|clashed|diverge|diverged|comment|commented|explain|explained|defend|defended|declare|declared|
concede|conceded|admit|admitted|put\s+out|issue|issued|publish|published|release|released|deliver|delivered|
address|addressed|addresses|discuss|discussed|discusses|speak|spoke|speaks|talk|talked|talks|touch|touched|
deny|denied|push|pushed|retort|retorted|rebut|rebutted|counter|countered|answer|answered|challenge|challenged|
contest|contested|
regard|regarded|judge|judged|rate|rated|portray|portrayed|voice|voiced|share|shared|repeat|repeated|
reiterate|reiterated|cite|cited|invoke|invoked|find|found|conclude|concluded|make|made|want|wanted|demand|
demanded|hope|hoped|expect|expected|believe|believed|feel|felt|attribute|attributed|blame|blamed|present|
presented|
saying|telling|calling|asking|arguing|urging|claiming|proposing|suggesting|pushing|insisting|warning|demanding|
describing|criticising|criticizing|praising|welcoming|condemning|accusing|blaming|expecting|hoping""".replace("\n", "")
_STANCE_NOUNS = r"""statement|statements|delegation|view|views|position|positions|stance|assessment|assessments|
verdict|verdicts|criticism|criticisms|remarks|reply|response|reaction|comments|concerns|argument|arguments|claim|claims|
account|perspective|opinion|opinions|words|message|ambassador|envoy|representative|representatives|side|mission|
diplomats?|officials?""".replace("\n", "")
# what a delegation said, which a bare name before it makes the delegation's own ("the EU statement");
# not roles ("the Kazakh ambassador" may be quoted by another delegation)
_SAID_NOUNS = r"statements?|reply|replies|response|position|view|assessment|remarks|criticism|reaction|comments"
_ROLE_NOUNS = r"delegation|ambassador|envoy|representatives?|side|diplomats?|mission"
# who speaks for a state at the UN: "did Malawi's president announce" is Malawi speaking
_LEADERS = r"president|prime\s+minister|(?:foreign\s+)?minister|king|emir|leader|head\s+of\s+state"
_RANK = r"acting|caretaker|interim|new|then|former|deputy"   # "Armenia's caretaker prime minister"
_JUDGING = r"""critical|supportive|positive|negative|concerned|worried|pleased|satisfied|dissatisfied|happy|unhappy|
optimistic|pessimistic|sceptical|skeptical|favourable|favorable|opposed|in\s+favou?r""".replace("\n", "")
# what a speaker voices, whatever the verb: "What criticism did Malta level at ...?"
_SAID_THINGS = r"""criticisms?|complaints?|proposals?|demands?|requests?|appeals?|warnings?|concerns?|arguments?|
pledges?|charges?|accusations?|objections?|suggestions?|recommendations?|message|messages|points?""".replace("\n", "")
_HAS_STANCE_NOUN, _HAS_SAID_NOUN, _HAS_SPEECH_VERB, _HAS_ROLE_NOUN = (
    re.compile(rf"\b(?:{words})\b", re.I) for words in (_STANCE_NOUNS, _SAID_NOUNS, _SPEECH_VERBS, _ROLE_NOUNS))


_ALTERNATIONS: dict[int, tuple[dict, str, int]] = {}


def _alternation(aliases: dict[str, str]) -> str:
    """The names of `aliases` as one regex alternation (a trie, longest first); built once per dict
    (an index's aliases are one dict for its lifetime; building it is ~0.25 ms)."""
    hit = _ALTERNATIONS.get(id(aliases))
    if hit is not None and hit[0] is aliases and hit[2] == len(aliases):
        return hit[1]
    out = trie_alternation(a for a in aliases if len(a) > 1)
    if len(_ALTERNATIONS) > 64:
        _ALTERNATIONS.clear()
    _ALTERNATIONS[id(aliases)] = (aliases, out, len(aliases))
    return out


# what comes before a statement that is being answered: "in its reply to Canada's statement",
# "when Malta answered Norway's statement", "rebutting the EU statement"
_REPLY_TO = re.compile(r"\b(?:(?:repl(?:y|ies|ied|ying)|respon(?:se|ses|d|ds|ded|ding)|answer(?:s|ed|ing)?|rebut\w*|"
                       r"react(?:ion|ions|ed|ing|s)?|rejoinder)\s+to|answer(?:s|ed|ing)?|rebut\w*|"
                       r"counter(?:s|ed|ing)?)\s+(?:the\s+)?$", re.I)


def speaker_mentions(text: str, aliases: dict[str, str] = DELEGATION_ALIASES) -> tuple[list[str], list[str]]:
    """Delegations a question names as the ones speaking, as opposed to what is
    spoken about: in "What did Russia say about Kazakhstan's elections?" Russia
    speaks and Kazakhstan is the topic. Returns (clear, likely): clear for a
    delegation that says or judges something ("did Russia say", "according to the
    EU", "Russia's statement", "statements by the US"), likely for a role of
    one ("the Kazakh ambassador", "the Russian side"), which may be quoted in
    another delegation's statement."""
    name = rf"(?:the\s+)?(?:{_alternation(aliases)})"
    clear = [
        # did Russia say / did the EU and Russia differ / has the Russian delegation argued
        rf"\b(?:did|does|do|has|have|had|would|will|was|were|is|are)\s+(?P<n>{name}(?:\s*(?:,|and|or)\s*{name})*)"
        rf"(?:\s+(?:delegation|representatives?|side|government)|['’]s\s+(?:(?:{_RANK})\s+)?(?:government|delegation|{_LEADERS}))?"
        rf"\s+(?:(?:not|also|ever|again|still|really|each|both|all|itself|themselves|\w+ly)\s+)?"
        rf"(?:{_SPEECH_VERBS})\b",
        rf"\b(?:according\s+to|per|in\s+the\s+words\s+of)\s+(?P<n>{name})",
        # "What position did Malta take on ...?", "Did Malta adopt a clear stance?"
        rf"\b(?:position|stance|view|line|approach)s?\s+(?:did|does|do|has|have|had|will|would)\s+(?P<n>{name})\s+"
        r"(?:take|took|taken|adopt|adopted|hold|held)\b",
        # "What criticism did Malta level at ...?", "Which proposal did the Maltese government put forward?":
        # whoever raises a criticism, a proposal or a warning says it
        rf"\b(?:{_SAID_THINGS})\s+(?:did|does|do|has|have|had|will|would)\s+(?P<n>{name})"
        rf"(?:\s+(?:delegation|government)|['’]s\s+(?:(?:{_RANK})\s+)?(?:government|delegation|{_LEADERS}))?\s+[a-z]+\b",
        rf"\b(?:did|does|do|has|have|had)\s+(?P<n>{name})\s+(?:take|taken|adopt|adopted|hold|held)\s+"
        r"(?:(?:a|an|the|its|any|their)\s+)?(?:\w+\s+)?(?:position|stance|view|line)\b",
        # "Russia's statement", "the EU's and Russia's verdicts"
        (rf"(?P<n>(?:{name}['’]s?\s*(?:,|and|or)\s*)*{name})['’]s?\s+(?:\w+\s+)?(?:{_STANCE_NOUNS})\b",
         _HAS_STANCE_NOUN),
        # "the Russian reply", "the EU statement": a name as an adjective of what was said
        (rf"(?P<n>{name})\s+(?:{_SAID_NOUNS})\b", _HAS_SAID_NOUN),
        # "the statements by Russia", "the views of Russia and the US"
        rf"\b(?:statements?|remarks|speech(?:es)?|repl(?:y|ies)|views|positions|assessments|stances|reactions|"
        rf"responses)\s+(?:by|from|of)\s+(?P<n>{name}(?:\s*(?:,|and|or)\s*{name})*)",
        rf"\b(?:in|by|for)\s+(?P<n>{name})['’]s?\s+(?:view|opinion|eyes|account|telling|judge?ment|estimation|reading|words)",
        rf"\bfrom\s+(?P<n>{name})['’]s?\s+(?:standpoint|perspective|viewpoint|point\s+of\s+view|side)",
        rf"\bas\s+(?P<n>{name})\s+(?:saw|sees|see|put|puts|described|describes|framed|frames)\s+it\b",
        rf"\bwhere\s+(?:does|did|do)\s+(?P<n>{name})\s+stand\b",
        # "Was the EU critical of ...?": a judgement is said
        rf"\b(?:was|were|is|are)\s+(?P<n>{name})\s+(?:(?:\w+ly|more|less|as|so)\s+)?(?:{_JUDGING})\b",
        rf"^\s*(?:and\s+|what\s+about\s+|how\s+about\s+)?(?P<n>{name})\s*\?\s*$",   # "And Russia?"
        # "And the Americans, on press freedom?", "What about Malta on the budget?"
        rf"^\s*(?:and|what\s+about|how\s+about)\s+(?P<n>{name})\s*,?\s+(?:on|about|regarding|concerning)\s+\w",
        (rf"(?P<n>{name}(?:\s*(?:,|and|or)\s*{name})*)\s+(?:{_SPEECH_VERBS})\s+"
         r"(?:that|about|on|how|what|whether|the|its|a)\b", _HAS_SPEECH_VERB),
    ]
    likely = [(rf"(?P<n>{name})\s+(?:{_ROLE_NOUNS})\b", _HAS_ROLE_NOUN)]

    def found(patterns):
        out = []
        for rx in patterns:
            needs = None
            if isinstance(rx, tuple):
                # a pattern that opens with a name tries the whole alternation at every
                # position: run it only when the word it needs after the name is there at all
                rx, needs = rx
                if not needs.search(text):
                    continue
            for m in re.finditer(rx, text, re.I):
                if needs is not None and _REPLY_TO.search(text, 0, m.start()):
                    continue   # "Russia's reply to Canada's statement": Canada is what is answered
                for d in delegation_mentions(m.group("n"), aliases):
                    if d not in out:
                        out.append(d)
        return out

    strong = found(clear)
    return strong, [d for d in found(likely) if d not in strong]


_MONTH_NAMES = frozenset(MONTHS)


def long_forms(acronyms: dict[str, str]) -> dict[str, str]:
    """acronym -> written-out name, lowercased, both for acronyms the corpus prints
    (odihr) and for those it only writes out (csto): from `acronym_table`."""
    out = {k: v.lower() for k, v in acronyms.items() if " " not in k}
    out.update({v.lower(): k for k, v in acronyms.items() if " " in k})
    return out


def named_entities(text: str, aliases: dict[str, str] = DELEGATION_ALIASES,
                   expansions: dict[str, str] | None = None) -> list[frozenset[str]]:
    """The names a question uses for places, people and bodies (capitalised words not
    opening a sentence), each as the set of spellings that count as mentioning it:
    "Kazakh" -> {kazakhstan, kazakh, astana}; with `expansions` (`long_forms`), "ODIHR"
    -> {odihr, office for democratic institutions and human rights}. Parenthesised
    expansions the query handling appended are left out: they repeat names already counted.
    Linear in the text."""
    text = _strip_expansions(text)
    spellings = _spellings(aliases)
    multi = _multiword(aliases)
    out: list[frozenset[str]] = []
    seen: set[frozenset[str]] = set()
    skip_to = 0
    for m in _CAPS_WORD.finditer(text):
        word = m.group(0)
        if not word[0].isupper() or m.start() < skip_to:
            continue
        j = m.start() - 1
        while j >= 0 and text[j].isspace():
            j -= 1
        low = re.sub(r"['’]s?$", "", word.lower())
        # "the European Union", "Saint Lucia": one name, not two words each counted as a topic
        whole = next((a for a in multi.get(low, ()) if _starts_with_name(text, m.start(), a)), None)
        if whole:
            low, skip_to = whole, m.start() + len(whole)
        # a sentence's first word is capitalised whatever it is; a delegation's name is a name anywhere
        # (the words a follow-up carries come right after its "?": "And Lisbon? Malta's elections")
        if (j < 0 or text[j] in ".?!(") and low not in aliases:
            continue
        if low in FUNCTION_WORDS or low in _MONTH_NAMES or low == "osce" or len(low) < 3:   # all are OSCE statements
            continue
        parts = low.split("-")
        # "the Israeli-Palestinian conflict", "Russia-Ukraine talks": two states named
        for name in parts if len(parts) > 1 and low not in aliases and all(p in aliases for p in parts) else [low]:
            canon = aliases.get(name)
            names = spellings.get(canon, frozenset()) if canon else frozenset([name])
            if expansions and name in expansions:
                names |= {expansions[name]}
            if names and names not in seen:
                seen.add(names)
                out.append(names)
    return out


def _starts_with_name(text: str, at: int, name: str) -> bool:
    end = at + len(name)
    return text[at:end].lower() == name and (end == len(text) or not text[end].isalnum())


_MULTIWORD: dict[int, dict[str, tuple[str, ...]]] = {}


def _multiword(aliases: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """first word -> the aliases of several words that start with it, longest first."""
    key = id(aliases)
    if key not in _MULTIWORD:
        table: dict[str, list[str]] = {}
        for a in aliases:
            if " " in a:
                table.setdefault(a.split()[0], []).append(a)
        if len(_MULTIWORD) > 8:
            _MULTIWORD.clear()
        _MULTIWORD[key] = {w: tuple(sorted(v, key=len, reverse=True)) for w, v in table.items()}
    return _MULTIWORD[key]


def _strip_expansions(text: str) -> str:
    """The text without the parenthesised names query handling appended at its end."""
    end = len(text.rstrip())
    while end and text[end - 1] == ")":
        start = text.rfind("(", 0, end)
        if start < 0 or ")" in text[start:end - 1]:
            break
        end = len(text[:start].rstrip())
    return text[:end]


_SPELLINGS: dict[int, dict[str, frozenset[str]]] = {}


def _spellings(aliases: dict[str, str]) -> dict[str, frozenset[str]]:
    """canonical name -> its aliases longer than two letters, once per alias table."""
    key = id(aliases)
    if key not in _SPELLINGS:
        table: dict[str, set[str]] = {}
        for a, c in aliases.items():
            if len(a) > 2:
                table.setdefault(c, set()).add(a)
        if len(_SPELLINGS) > 8:
            _SPELLINGS.clear()
        _SPELLINGS[key] = {c: frozenset(v) for c, v in table.items()}
    return _SPELLINGS[key]


def mention_pattern(names) -> re.Pattern:
    """Any of a name's spellings at the start of a word ("kazakh" also finds "kazakhs")."""
    return re.compile("|".join(rf"\b{re.escape(n)}" for n in sorted(names)))


def content_words(text: str) -> list[str]:
    return [w.strip(".'’") for w in _WORD.findall(text) if w.lower().strip(".'’") not in _STOP and len(w) > 1]


_ELLIPSIS = re.compile(r"^\s*(?:and|but|also|what about|how about)\s+(?:the\s+)?(?P<rest>.+)$", re.I)
_NOT_A_SPEAKER_NEXT = re.compile(r"(?:about|on|in|for|of|with|to|what|which|who|whom|how|why|when|where|did|does|do|"
                                 r"is|are|was|were)\b", re.I)
# the earlier turn's speaker as a pronoun: "What did they say ...?", "What did it propose ...?"
_PRONOUN_SPEAKER = re.compile(r"\b(?:did|does|do|has|have|had|would|will)\s+(?:it|they)\b|"
                              r"\b(?:its|their)\s+(?:statement|delegation|reply|view|position)s?\b", re.I)

# a follow-up about other speakers than the earlier turn's: "Did anyone disagree?", "Who else ...?"
_OTHERS = re.compile(r"\b(?:anyone|anybody|someone|somebody|nobody|no\s+one|others|who\s+else|any\s+other|"
                     r"other\s+(?:delegations?|states|countries|participating\s+states|speakers|governments))\b", re.I)

# where the speaker of an elliptical opening ends: "And Lisbon, on the budget?"
# "Malta's take", "the EU's reaction": a possessive before a word for a view names a speaker, not a topic
_POSSESSED_VIEW = re.compile(rf"^(?P<who>.+?)['’]s\s+(?:{_STANCE_NOUNS}|take)$", re.I)
_HEAD_END = re.compile(r",|\s+(?:on|about|in|regarding|concerning|over|for|at|with|to)\s+", re.I)


def ellipsis_speakers(question: str, aliases: dict[str, str]) -> list[str]:
    """The delegations an elliptical follow-up opens with: "And Lisbon?", "And the Portuguese
    on the second vote?", "And Lisbon, on Malta's budget?", "And Norway and Malta?". None for
    "And Poland's budget?" (Poland is what is asked about) or "And about 2019?"."""
    m = _ELLIPSIS.match(question)
    if not m or _NOT_A_SPEAKER_NEXT.match(m.group("rest")):
        return []
    rest = m.group("rest")
    head = rest if _only_speakers(rest, aliases) else " ".join(_HEAD_END.split(rest, 1)[0].split()[:3])
    own_view = _POSSESSED_VIEW.match(head)
    if own_view:
        # "What about Lisbon's take on the budget?": the possessive names who holds the view
        head = own_view.group("who")
    elif re.search(r"['’]s\b", head):
        return []
    # a capital speaks here as its government ("And Lisbon?"), whatever `aliases` holds
    return delegation_mentions(head, aliases) or list(dict.fromkeys(
        capital_of(w, aliases) for w in re.findall(r"[^\W\d_]+", head.lower()) if w in CAPITALS))


def speakers_of_followup(question: str, history: list[str], aliases: dict[str, str],
                         speaker_names: dict[str, str]) -> list[str]:
    """Who speaks in a follow-up that names no speaker the way a question does: the delegation
    an elliptical "And Lisbon?" or "And the Portuguese on the second vote?" opens with; else the
    earlier turn's speakers when the follow-up names no delegation, points to them with a
    pronoun ("What did it propose?") or only changes the topic ("And about Poland's budget?").
    A follow-up naming a delegation otherwise ("... after Malta's budget, and were they
    implemented?") has changed the subject: no one."""
    named = ellipsis_speakers(question, speaker_names)
    if named:
        return named
    if _OTHERS.search(question):
        return []
    keeps = not delegation_mentions(question, aliases) or _PRONOUN_SPEAKER.search(question) \
        or _ELLIPSIS.match(question)
    if not keeps:
        return []
    if asks_about_the_subject(question):
        return []
    return latest_speakers(carried_turns(history, aliases), speaker_names)


# "that vote", "this election": a demonstrative before an event points to what was spoken about;
# "Why does that matter?" points to what was said
_EVENT_NOUNS = (r"year|vote|votes|ballot|election|elections|referendum|poll|campaign|round|runoff|run-off|mission|"
                r"report|meeting|session|country|law|day|month|time|constitution|assembly|parliament|legislature")
_SPEECH_VERB = re.compile(rf"\b(?:{_SPEECH_VERBS})\b", re.I)
# "that preliminary report", "How did Malta assess that early vote?", "that kind of reform", "that institution":
# the earlier turn's event or subject; but in "Did Malta say that early elections were needed?" it
# opens what was said
_THAT_DESCRIBED = re.compile(r"(?:\b(?P<before>[\w'’]+)\s+)?\bthat\s+(?:(?:final|preliminary|interim|early|snap|last|"
                             rf"recent|whole|first|second|presidential|parliamentary|constitutional|local)\s+"
                             rf"(?:{_EVENT_NOUNS})|(?:form|kind|type|sort)\s+of|office|institution|body|practice|policy|"
                             r"proposal|plan|idea)\b(?P<clause>\s+(?:was|were|is|are|had|has|have|would|should|must|"
                             r"will|could|can|might|did|does|do|\w+ed)\b)?", re.I)
# "Why was that vote called early?": a vote called, not a speaker calling for something
_CALLED_ELECTION = re.compile(r"\bcall(?:ed|s)?\s+(?:an?\s+)?(?:early|snap|off)\b", re.I)
_SAID_POINTER = re.compile(rf"\b(?:it|they|its|their|them|(?:that|this)\b(?!\s+(?:{_EVENT_NOUNS})\b))\b", re.I)


def asks_about_the_subject(question: str) -> bool:
    """A follow-up that names no one and asks about the subject, not about what was said: "When
    did that election take place?", "Who observed the elections?". No speech verb, no pronoun
    for a speaker or for what it said ("What did it propose?", "Why does that matter?"), no
    elliptical opening ("And in 2022?"). The earlier turn's topic carries; its speaker does not,
    for the answer may be in any statement (docs/benchmarks.md, tenth pass)."""
    return not (_FOLLOWUP_START.search(question) or _ELLIPSIS.match(question) or _SAID_POINTER.search(question)
                or _SPEECH_VERB.search(_CALLED_ELECTION.sub(" ", question)))


# "And the other delegations?", "Who else …?": not the earlier turn's speaker
_ELSE = re.compile(r"\b(?:else|other|others)\b", re.I)


def set_aside_speakers(question: str, history: list[str], aliases: dict[str, str],
                       speaker_names: dict[str, str]) -> list[str]:
    """The earlier turn's speakers a follow-up asks past: "And the other delegations?",
    "Did anyone else object?" (not "Did anyone object?", which may mean them too)."""
    if not history or not _OTHERS.search(question) or not _ELSE.search(question):
        return []
    return latest_speakers(carried_turns(history, aliases), speaker_names)


def latest_speakers(turns: list[str], names: dict[str, str]) -> list[str]:
    """The speakers of the latest turn that names one: "What did Norway say ...?", "And Malta?",
    then "And in 2019?" is about Malta."""
    for turn in reversed(turns):
        clear, likely = speaker_mentions(turn, names)
        if clear or likely:
            return clear + likely
    return []


# a reaction with no object ("Did Russia agree?", "Did anyone object?") names no topic of its own
REACTION_WORDS = frozenset(_SPEECH_VERBS.split("|")) | {"anyone", "anybody", "someone", "everyone", "others", "nobody",
                                                         "back"}   # "push back", "hit back"
# how many topic words a question with no name, year or acronym of its own may have and still
# lean on the earlier turn ("What did the observers conclude?", "Was the process inclusive?")
_FEW_TOPIC_WORDS = 2


def topic_words(question: str) -> list[str]:
    """The question's content words that say what it is about, not who reacted how."""
    return [w for w in content_words(question) if w.lower() not in REACTION_WORDS]


def is_followup(question: str, aliases: dict[str, str] = DELEGATION_ALIASES) -> bool:
    """Does the question need the earlier turn? Only when it cannot stand on its own: it
    opens elliptically ("And the EU?", "What about 2016?"), points back ("these
    elections"), uses a pronoun with no antecedent in itself ("What did they say?"),
    or has almost no words and no name or year of its own. A short question that names its
    own topic ("Who is <a name>?") or a pronoun whose antecedent it names itself ("Which
    observers did X say found that they ...") stands alone."""
    if _FOLLOWUP_START.search(question) or _POINTING.search(question):
        return True
    described = _THAT_DESCRIBED.search(question)
    if described and not (_SPEECH_VERB.fullmatch(described.group("before") or "") and described.group("clause")):
        return True
    for m in _PRONOUN.finditer(question):
        before = question[: m.start()]
        if m.group(1).lower() == "it" and _AUXILIARY_BEFORE.search(before):
            # "Which articles of the Helsinki Final Act did it invoke?": what "did it" invoke
            # is a speaker or its statement, which a document or place named before cannot be
            if not delegation_mentions(before, aliases):
                return True
        elif not _has_antecedent(before, m.group(1).lower(), aliases):
            return True
    if _only_speakers(question, aliases):
        return True
    return len(topic_words(question)) <= _FEW_TOPIC_WORDS and not _own_topic(question)


_AUXILIARY_BEFORE = re.compile(r"\b(?:did|does|do|has|have|had|would|will)\s+$", re.I)


def _only_speakers(question: str, aliases: dict[str, str]) -> bool:
    """"What did <a delegation> say?": a speaker and nothing said about what; the topic
    can only be the earlier turn's. A year or any other content word is a topic."""
    if not delegation_mentions(question, aliases) or re.search(r"\b(?:19|20)\d\d\b", question):
        return False
    return not _said_about(question, aliases)


def _alias_words(aliases: dict[str, str]) -> set[str]:
    return {w for a in aliases for w in a.lower().split()}


def _names_of_its_own(question: str, aliases: dict[str, str]) -> bool:
    """Does the question name something that is no delegation (ODIHR, a person, a city)?"""
    names = _alias_words(aliases)
    return any(w[:1].isupper() and _bare(w) not in names and w.lower() not in FUNCTION_WORDS
               for w in _CAPS_WORD.findall(question)[1:])


def _said_about(question: str, aliases: dict[str, str]) -> list[str]:
    """The words saying what a question asks about: its topic words that name no delegation."""
    names = _alias_words(aliases)
    return [w for w in topic_words(question) if _bare(w) not in names]   # "Malta's" is Malta


def says_what_it_asks(question: str, names: dict[str, str]) -> bool:
    """Does the question say in two words or more of its own, naming no speaker and no
    time, what it asks about ("And Malta's view of the budget cuts?", not "And Malta in
    2019?")? `names`: every spelling of every speaker (aliases, capitals, leaders)."""
    spellings = _alias_words(names)
    return len([w for w in _said_about(question, names) if _bare(w) not in spellings
                and not re.fullmatch(r"(?:19|20)\d\d", w) and w.lower() not in MONTHS]) >= 2


def _has_antecedent(before: str, pronoun: str, aliases: dict[str, str]) -> bool:
    """Could something named before the pronoun be what it refers to? A plural noun for
    they/them/their ("the observers ... they"); a name or a delegation for the others."""
    if pronoun.startswith("the"):
        # the noun a question asks about ("Which organisations did they ...?") is not an antecedent
        before = re.sub(r"^\s*(?:which|what|how many|whose)\s+\S+", "", before, flags=re.I)
        return any(w.lower().endswith("s") and not w[:1].isupper() and w.lower() not in aliases
                   for w in content_words(before))
    return bool(delegation_mentions(before, aliases) or _own_topic(before))


def _own_topic(text: str) -> bool:
    """A name (a capitalised word after the first), a year or an acronym of its own."""
    words = _CAPS_WORD.findall(text)
    return bool(re.search(r"\b(?:19|20)\d\d\b|\b[A-Z]{2,}\b", text)
                or any(w[:1].isupper() and w.lower() not in FUNCTION_WORDS for w in words[1:]))


def expand_aliases(text: str, aliases: dict[str, str] = DELEGATION_ALIASES) -> str:
    """Append the corpus's name for a delegation the text calls by another name (Moscow -> Russian Federation)."""
    low = text.lower()
    extra = [c for c in delegation_mentions(text, aliases) if c.lower() not in low]
    return f"{text} ({', '.join(extra)})" if extra else text


_CAPS_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_MAX_ACRONYM = 7     # letters in an acronym: a longer run of capitalised words has none
_MAX_EXPANSIONS = 8  # names appended to one question at most
_JOINERS = frozenset(("of", "and", "for", "the", "on", "in"))


def capitalised_runs(text: str) -> list[list[str]]:
    """Runs of capitalised words, small joining words allowed inside:
    "the Office for Democratic Institutions and Human Rights" -> [Office, for, ..., Rights]."""
    runs, run = [], []
    for w in _CAPS_WORD.findall(text) + ["."]:
        if w[:1].isupper():
            run.append(w)
        elif w.lower() in _JOINERS and run:
            run.append(w)
        else:
            while run and not run[-1][:1].isupper():
                run.pop()
            if run:
                runs.append(run)
            run = []
    return runs


def initials(words: list[str]) -> str:
    return "".join(w[0].lower() for w in words if w[:1].isupper())


def acronym_table(texts) -> dict[str, str]:
    """Acronyms the texts do not print, learned from the names they write out:
    'csto' -> 'Collective Security Treaty Organization'; and for an acronym they do
    print, its written-out name -> the acronym ('office for democratic institutions
    and human rights' -> 'ODIHR'). An acronym the texts print is matched as it
    stands: expanding it would only add noise (SciFact: DNA, HIV, ...)."""
    counts: dict[str, dict[str, int]] = {}
    printed: set[str] = set()
    for text in texts:
        printed.update(re.findall(r"\b[A-Z]{2,7}\b", text))
        for run in capitalised_runs(text):
            caps = [n for n, w in enumerate(run) if w[:1].isupper()]
            for a in range(len(caps)):
                for b in range(a + 1, min(len(caps), a + _MAX_ACRONYM)):
                    phrase = " ".join(run[caps[a]: caps[b] + 1])
                    slot = counts.setdefault(initials(run[caps[a]: caps[b] + 1]), {})
                    slot[phrase] = slot.get(phrase, 0) + 1
    table = {acr: max(phrases, key=lambda p: (phrases[p], len(p))) for acr, phrases in counts.items()}
    for acr in printed:
        phrase = table.pop(acr.lower(), None)
        if phrase:
            table[phrase.lower()] = acr
    return table


def corpus_texts(index) -> list[str]:
    """What acronyms are learned from: every passage and each statement's title, delegation and meeting."""
    meta = [" ".join(filter(None, (d.title, d.delegation, d.meeting))) for d in index.documents]
    return [c.text for c in index.chunks] + meta


def expand_acronyms(text: str, table: dict[str, str]) -> str:
    """Append the written-out name of an acronym the text uses (CSTO), or the acronym
    the corpus prints for a name the text writes out, when the text lacks it."""
    if not table:
        return text
    low = text.lower()
    extra = []
    for acr in dict.fromkeys(re.findall(r"\b[A-Z]{2,7}\b", text)):
        if len(extra) >= _MAX_EXPANSIONS:
            break
        phrase = table.get(acr.lower())
        if phrase and phrase.lower() not in low and phrase not in extra:
            extra.append(phrase)
    for run in capitalised_runs(text):
        caps = [n for n, w in enumerate(run) if w[:1].isupper()]
        for a in range(len(caps)):
            for b in range(min(len(caps), a + _MAX_ACRONYM) - 1, a, -1):
                acr = table.get(" ".join(run[caps[a]: caps[b] + 1]).lower())
                if acr and len(extra) < _MAX_EXPANSIONS and acr not in extra and not re.search(rf"\b{acr}\b", text):
                    extra.append(acr)
    return f"{text} ({', '.join(extra)})" if extra else text


def contextualize(question: str, history: list[str], aliases: dict[str, str] = DELEGATION_ALIASES,
                  acronyms: dict[str, str] | None = None) -> str:
    """The text to search for `question` asked after the user turns `history` (oldest first)."""
    query = expand_aliases(_with_history(question, history, aliases), aliases)
    return expand_acronyms(query, acronyms or {})


def carried_turns(history: list[str], aliases: dict[str, str] = DELEGATION_ALIASES) -> list[str]:
    """The turns a follow-up leans on: the latest self-contained one and any follow-ups after it."""
    start = len(history) - 1
    while start > 0 and is_followup(history[start], aliases):
        start -= 1
    return history[start:]


_YEAR_WORD = re.compile(r"(?:19|20)\d\d")
_RELATIVE_YEAR = re.compile(r"\b(?:the\s+)?(?:(?P<next>following|next|subsequent)|(?P<prev>previous|preceding|prior))"
                            r"\s+year\b|\b(?P<n>a|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})\s+"
                            r"(?P<unit>years?|decades?)\s+(?:(?P<later>later|after|on)|(?P<earlier>earlier|before))\b",
                            re.I)
# "a few months later", "the following month": not the earlier turn's month (how many and which way
# tell whether it is still the earlier turn's year: may_change_year)
_MONTHS_AWAY = re.compile(r"\b(?P<n>a\s+few|several|some|a\s+couple\s+of|a|one|two|three|four|five|six|\d{1,2})\s+"
                          r"months?\s+(?P<dir>later|after|on|earlier|before)\b|"
                          r"\b(?P<dir1>following|next|previous|preceding)\s+month\b", re.I)
_RELATIVE_MONTH = re.compile(rf"{_MONTHS_AWAY.pattern}|\blater\s+(?:that|the\s+same)\s+year\b", re.I)
_HOW_MANY = {w: n for n, w in enumerate("one two three four five six seven eight nine ten".split(), 1)} | {"a": 1}
# "the same day", "at the time", "that year": the earlier turn's date is part of what is asked
_SAME_TIME = re.compile(r"\b(?:(?:the\s+)?(?:same|that|this)\s+(?:day|week|month|year|session|meeting)|at\s+the\s+time|"
                        r"(?:earlier|later)\s+that(?:\s+(?:day|week|month|year))?|then)\b", re.I)


def without_time_phrases(text: str) -> str:
    """"Did Malta say so a month later?" less "a month later": a time, not what is asked about."""
    for rx in (_SAME_TIME, _RELATIVE_YEAR, _RELATIVE_MONTH):
        text = rx.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()


_FEW = {"a few": 3, "several": 3, "some": 3, "a couple of": 2}


def may_change_year(question: str, carried: str) -> bool:
    """Does "a few months earlier" (or "the following month") take the earlier turn's date into
    another year? From January, "a few months earlier" is the year before; "a month later" is
    not; with no month to count from, it may be."""
    m = _MONTHS_AWAY.search(question)
    if not m:
        return False
    months = [MONTHS.index(w.lower()) + 1 for w in re.findall(r"[A-Za-z]+", carried) if w.lower() in MONTHS]
    if not months:
        return True
    n = re.sub(r"\s+", " ", (m.group("n") or "one").lower())
    step = _FEW.get(n) or (int(n) if n.isdigit() else _HOW_MANY[n])
    later = (m.group("dir") or m.group("dir1")).lower() in ("later", "after", "on", "following", "next")
    return not 1 <= months[-1] + (step if later else -step) <= 12


# "that same constitutional vote", "those elections": the earlier turn's event, and so its date
_SAME_EVENT = re.compile(r"\b(?:that|this|those|these|the\s+same)\s+(?:[\w'’-]+\s+){0,2}?(?:vote|votes|election|"
                         r"elections|referendum|ballot|poll|runoff|round|meeting|session|summit|conference)\b", re.I)


def names_the_time(question: str) -> bool:
    """Does a follow-up ask about the earlier turn's date itself ("the same month", "at the
    time", "a year later"), not only about its event ("that vote")?"""
    return bool(_SAME_TIME.search(question) or _RELATIVE_YEAR.search(question) or _RELATIVE_MONTH.search(question))


def keeps_the_time(question: str) -> bool:
    """Does a follow-up ask about the earlier turn's date, as it is or moved ("the same day",
    "at the time", "a month later", "the following year"), or about its event ("that vote")?"""
    return bool(_SAME_TIME.search(question) or _RELATIVE_YEAR.search(question) or _RELATIVE_MONTH.search(question)
                or _SAME_EVENT.search(question))


def _shift_year(question: str, words: list[str]) -> list[str]:
    """"And the following year?" after a turn about 2020 asks about 2021, "a decade later"
    about 2030: the earlier turn's (latest) year, moved; its other years go."""
    m = _RELATIVE_YEAR.search(question)
    years = [w for w in words if _YEAR_WORD.fullmatch(w)]
    if not m or not years:
        return words
    step = 1
    if m.group("n"):
        n = m.group("n").lower()
        step = (int(n) if n.isdigit() else _HOW_MANY[n]) * (10 if m.group("unit").lower().startswith("decade") else 1)
    step = step if (m.group("next") or m.group("later")) else -step
    return [w for w in words if w not in years] + [str(int(years[-1]) + step)]


def _bare(word: str) -> str:
    """"Malta's" -> "malta": a name in its possessive form is still the name."""
    return re.sub(r"['’]s$", "", word.lower())


def _without_names(words: list[str], delegations, aliases: dict[str, str], form=_bare) -> list[str]:
    """`words` less every spelling of `delegations` (a word of a multi-word name too: "Holy", "See")."""
    gone = set(delegations)
    drop = {a for a, c in aliases.items() if c in gone}
    return [w for w in words if form(w) not in drop and not any(form(w) in a.split() for a in drop if " " in a)]


_OWN_AFFAIRS = re.compile(r"\bits\b|\btheir\s+own\b", re.I)


def _own_places(question: str, aliases: dict[str, str]) -> set[str]:
    """The delegations a question names as what it asks about, not as who speaks ("And London, on
    Malta's vote?": Malta)."""
    clear, likely = speaker_mentions(question, aliases)
    return set(delegation_mentions(question, aliases)) - set(ellipsis_speakers(question, aliases)) - set(clear + likely)


def changes_the_place(question: str, history: list[str], aliases: dict[str, str] = DELEGATION_ALIASES) -> bool:
    """Does a follow-up put a place of its own where the earlier turn had another ("What did the
    EU say about Malta's 2021 elections?", then "What about Norway's?")? The earlier turn's date
    was that place's event, not this one's."""
    own = _own_places(question, aliases)
    if not own:
        return False
    turns = carried_turns(history, aliases)
    earlier = set(delegation_mentions(" ".join(turns), aliases)) - set(latest_speakers(turns, aliases))
    return bool(earlier - own)


def _with_history(question: str, history: list[str], aliases: dict[str, str]) -> str:
    if not history or not is_followup(question, aliases):
        return question
    turns = carried_turns(history, aliases)
    carried = " ".join(turns)
    words = content_words(carried)
    speakers = delegation_mentions(carried, aliases)
    mentioned = delegation_mentions(question, aliases)
    opening = ellipsis_speakers(question, aliases)
    if _PRONOUN_SPEAKER.search(question) and mentioned:
        if opening and _said_about(question, aliases) and _names_of_its_own(question, aliases):
            # "And Malta in 2019, what did it make of the Venice Commission's opinion?": "it" is the
            # speaker the question opens with, and the topic, named, is its own: nothing to carry
            return question
        if not opening:
            # "What did it say about Poland's budget?": a topic of its own, and the
            # earlier turn gives only who "it" is, not its topic or year
            extra = [c for c in latest_speakers(turns, aliases) if c.lower() not in question.lower()]
            return f"{question} {' '.join(extra)}".strip()
    named = mentioned or opening
    if not named and not _OTHERS.search(question) and asks_about_the_subject(question):
        # "When did that election take place?": the earlier topic, not the earlier speaker
        words = _without_names(words, latest_speakers(turns, aliases), aliases)
    elif not named and _OTHERS.search(question):
        # "Did anyone disagree?": the earlier topic, without the earlier speaker
        words = _without_names(words, speakers, aliases)
    elif named:
        # a new speaker replaces the old one: "EU ... Malta's budget" then "And Russia?" keeps
        # Malta; a place of its own replaces the old places too: "And Lisbon, on Poland's budget?"
        own_place = _own_places(question, aliases)
        spoken = latest_speakers(turns, aliases)
        # with no speaker found earlier, a possessive ("Malta's budget") is taken for the topic
        gone = speakers if own_place or not spoken else spoken
        if not own_place and spoken and set(speakers) == set(spoken) and _OWN_AFFAIRS.search(carried):
            # "How did Malta present its elections?", then "What was Norway's verdict?": Malta spoke
            # of itself, so it stays as the topic while Norway takes its place as the speaker
            gone = []
        words = _without_names(words, gone, aliases, form=_bare if own_place or spoken else str.lower)
    else:
        # the speaker carries over by its corpus name ("the US" is lost as a stop word)
        words += [c for c in speakers if c.lower() not in carried.lower()]
    own_year = re.search(r"\b(?:19|20)\d\d\b", question)
    if own_year:
        # a year of its own replaces the earlier turn's: "What about 2016?"
        words = [w for w in words if not _YEAR_WORD.fullmatch(w)]
    else:
        words = _shift_year(question, words)
    if MONTH_NAME.search(question) or own_year or _RELATIVE_MONTH.search(question):
        # ... and so does a month: "the March summit" then "And the May one?"; the earlier
        # turn's month was of the earlier year ("March 2019", then "And Norway in 2022?"),
        # and "a few months later" is not that month
        words = [w for w in words if w.lower() not in MONTHS]
    seen, extra = {w.lower() for w in content_words(question)}, []
    for w in words:
        if w.lower() not in seen:
            seen.add(w.lower())
            extra.append(w)
    return f"{question} {' '.join(extra)}".strip()
