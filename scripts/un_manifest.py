"""Write the collection manifest of the UN General Debate Corpus from its file names.

    python scripts/un_manifest.py CORPUS_DIR [--out CORPUS_DIR/collection.csv]

`Session 70 - 2015/KAZ_70_2015.txt` becomes the row
    file=Session 70 - 2015/KAZ_70_2015.txt, id=UNGD/70/KAZ, delegation=Kazakhstan,
    date=2015, meeting=UN General Assembly, 70th session, General Debate
The file names give the year only, so `date` is the partial ISO date YYYY (filters read it as
the whole year; see docs/corpus-formats.md). Delegations: the names qa/delegations.py uses for
OSCE participating States (Russian Federation, United States, Türkiye, ...), otherwise the
ISO 3166 English short name (pycountry, with its historic codes: YUG, CSK, DDR, YMD, SUN),
and EU -> European Union. A file whose name does not follow the pattern, or an unknown
code, is reported and left out of the manifest (its metadata then comes from the text).
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from qa.collection import write_manifest  # noqa: E402
from qa.delegations import DELEGATION_ALIASES  # noqa: E402

NAME_RE = re.compile(r"^([A-Z]{2,3})_(\d{1,2})_(\d{4})\.txt$")

# Names where ISO's form reads badly in a sentence ("Korea, Republic of") or the code is not
# a country's; the UN's own short names.
NAMES = {
    "EU": "European Union",
    "COD": "Democratic Republic of the Congo",
    "KOR": "Republic of Korea",
    "PRK": "Democratic People's Republic of Korea",
    "FSM": "Micronesia (Federated States of)",
    "CSK": "Czechoslovakia",
    "YUG": "Yugoslavia",
    "SUN": "Union of Soviet Socialist Republics",
    "YMD": "Democratic Yemen",
    "DDR": "German Democratic Republic",
    "PSE": "State of Palestine",
    "TZA": "United Republic of Tanzania",
    "VAT": "Holy See",
}


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def delegation_name(code: str) -> str | None:
    """The delegation's name for an ISO 3166 alpha-3 code (or EU), None if unknown."""
    import pycountry
    if code in NAMES:
        name = NAMES[code]
    else:
        c = pycountry.countries.get(alpha_3=code) or pycountry.historic_countries.get(alpha_3=code)
        if c is None:
            return None
        names = [getattr(c, "common_name", None), c.name, getattr(c, "official_name", None)]
        # an OSCE participating State: the name qa/delegations.py uses
        for n in filter(None, names):
            if n.lower() in DELEGATION_ALIASES:
                return DELEGATION_ALIASES[n.lower()]
        name = next(filter(None, names))
        if ", " in name:                      # "Iran, Islamic Republic of" -> "Islamic Republic of Iran"
            head, tail = name.split(", ", 1)
            name = f"{tail} {head}"
    return DELEGATION_ALIASES.get(name.lower(), name)


def rows(corpus: Path, report=print) -> list[dict]:
    out = []
    for path in sorted(p for p in corpus.rglob("*.txt") if not p.name.startswith(".")):   # as corpus_files
        m = NAME_RE.match(path.name)
        if not m:
            report(f"skipped {path}: name is not CODE_SESSION_YEAR.txt")
            continue
        code, session, year = m.group(1), int(m.group(2)), m.group(3)
        name = delegation_name(code)
        if name is None:
            report(f"skipped {path}: unknown delegation code {code}")
            continue
        out.append({"file": path.relative_to(corpus).as_posix(), "id": f"UNGD/{session}/{code}",
                    "delegation": name, "date": year,
                    "meeting": f"UN General Assembly, {ordinal(session)} session, General Debate"})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--out", type=Path, help="default: CORPUS/collection.csv (.jsonl also works)")
    args = ap.parse_args()
    out = args.out or args.corpus / "collection.csv"
    manifest = rows(args.corpus, report=lambda msg: print(msg, file=sys.stderr))
    write_manifest(out, manifest)
    print(f"wrote {out}: {len(manifest)} statements")


if __name__ == "__main__":
    main()
