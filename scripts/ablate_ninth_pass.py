"""Each of the ninth pass's rules switched off in turn, on questions written without them.

    python scripts/ablate_ninth_pass.py "all on" > on.json
    python scripts/ablate_ninth_pass.py "winner-form" > off.json        # one rule off
    WIDE=1 python scripts/ablate_ninth_pass.py …                        # the later batches and every test split

Prints one JSON list of [set:id, kind, answerable, refused, rank of the first relevant passage].
A rule is switched off by putting back what it replaced (its regular expression, its
function), so this script names internals on purpose; docs/benchmarks.md has the table.
"""
import sys,os,re
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from qa.settings import Settings, offline_environment
offline_environment()
import qa.abstention as A, qa.answer_types as T, qa.conversation as C, qa.query as Q
from qa.evaluation import load_dataset, run_questions
from qa.retrieval import Retriever
NEVER=re.compile(r"(?!x)x")
orig_counted=A.Abstainer.counted_stems
def counted_old(self, query, long=True, measure=True):
    named=T.counted(query)
    if named:
        if long:
            return named | {T.stem(w) for st in named for w in T.WORD.findall(self.signals.long_forms.get(st, ""))}
        return named
    if measure:
        m={T.stem(w.lower()) for w in T.WORD.findall(query)} & T.MEASURE_STEMS
        if m: return m
    words={re.sub(r"['’]s$","",w.lower()) for w in T.WORD.findall(query)}
    return {T.stem(w) for w in words if w not in A._FUNCTION and w not in T.QUANTITY_WORDS and w not in T.MONTHS and not T.YEAR.fullmatch(w)} - self.signals.common_stems
def old_prefix(w):
    bare=re.sub(r"['’]s$","",w.lower()); st=T.stem(bare); return st[:-1] if st.endswith("i") else st
OLD_WIN=re.compile(T.WINNER_QUESTION.pattern.split("|^\\s*who\\s+(?:(?:was")[0], re.I)
OLD_RELY=re.compile(r"\b(?:the\s+)?(?:(?P<next>following|next|subsequent)|(?P<prev>previous|preceding|prior))\s+year\b|\b(?P<n>a)\s+(?P<unit>year)\s+(?:(?P<later>later|after)|(?P<earlier>earlier|before))\b", re.I)
ABL={
 "all on": lambda: None,
 "acronym": lambda: setattr(A.Abstainer,"counted_stems",lambda self,q: counted_old(self,q,long=False)),
 "measure": lambda: (setattr(A.Abstainer,"counted_stems",lambda self,q: counted_old(self,q,measure=False)), setattr(T,"_RATES",frozenset())),
 "winner-form": lambda: setattr(A,"WINNER_QUESTION",OLD_WIN),
 "reply-to": lambda: setattr(C,"_REPLY_TO",NEVER),
 "relative-years": lambda: setattr(C,"_RELATIVE_YEAR",OLD_RELY),
 "name-prefix": lambda: setattr(A,"word_prefix",old_prefix),
 "place-words": "name_words",
 "did-it": lambda: setattr(C,"_AUXILIARY_BEFORE",NEVER),
 "months": lambda: setattr(C,"_RELATIVE_MONTH",NEVER),
 "named-topic": lambda: setattr(C,"_names_of_its_own",lambda q,a: False),
 "common-skip": lambda: setattr(A,"_MANY_STATEMENTS",10**9),
 "who-said": lambda: setattr(Q,"what_was_said",lambda t: t),
}
name=sys.argv[1]
p=ABL[name]
if callable(p): p()
out=[]
M=("index/mixed-corpus","index/mixed"); U=("index/un-2015/corpus","index/un-2015/index")
SETS=[("eval/rules9-mixed-test.jsonl",)+M,("eval/rules9-un-test.jsonl",)+U]
if os.environ.get("WIDE"):
    SETS=[(f"eval/{n}.jsonl",)+M for n in ["chat6-dev","chat6-test","chat7-dev","chat8-dev","stance2-dev","stance2-test","mixed5-test","chat5-test","mixed4-test","chat4-test","mixed3-test","chat3-test","mixed2-test","chat2-test","mixed-test","chat-test","stance-test","fresh-test","rules-mixed-test"]]+[(f"eval/{n}.jsonl",)+U for n in ["un4-test","un3-test","un2-test","un-test","regions-un-test","rules-un-test"]]
for f,corpus,idx in SETS:
    s=Settings.from_env().with_(corpus_dir=corpus,index_dir=idx)
    ds=load_dataset(f,s,log=lambda *a:None); r=Retriever(ds.index,s)
    if p=="name_words": r.abstainer._name_words=frozenset()
    res=run_questions(ds,r,"hybrid",100)
    for q in ds.questions:
        o=res[q.id]; rel=ds.qrels.get(q.id,{})
        fr=next((i+1 for i,pid in enumerate(o.ranking[:10]) if pid in rel),None)
        out.append((f.split('/')[-1][:-6]+':'+q.id,q.tags[0],q.answerable,o.abstained,fr))
import json; print(json.dumps(out))
