"""Search filters: one typed parser shared by the CLI, the HTTP API and the chat.

`parse_filters(delegations, since, until, docs)` validates what a user typed once
and returns a `Filters` (or None when nothing was set). Dates may be partial:
"2021" means 2021-01-01 as a start and 2021-12-31 as an end, "2021-02" the whole
month. An impossible date (2021-02-30, 2021-13-45) or an inverted range is a
`FilterError` (a ValueError) whose message says what to type instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .documents import Document


class FilterError(ValueError):
    """A filter value the user must correct; the message is one line."""


@dataclass
class Filters:
    delegations: list[str] = field(default_factory=list)   # any name a delegation goes by
    since: str | None = None                                 # ISO date, inclusive
    until: str | None = None                                 # ISO date, inclusive
    docs: list[str] = field(default_factory=list)            # document ids or aliases

    def __bool__(self) -> bool:
        return bool(self.delegations or self.since or self.until or self.docs)

    def allows(self, doc: Document) -> bool:
        if self.docs and not {n.casefold() for n in [doc.id, *doc.aliases]} & {d.casefold() for d in self.docs}:
            return False
        if self.delegations:
            from .delegations import canonical_delegation, same_delegation
            if not any(same_delegation(canonical_delegation(d), doc.delegation) for d in self.delegations):
                return False
        # a partial date ("2015": a speech known by its session's year) is the whole period
        if self.since and (not doc.date or _period(doc.date, end=True) < self.since):
            return False
        if self.until and (not doc.date or _period(doc.date) > self.until):
            return False
        return True

    def to_dict(self) -> dict:
        return {"delegations": self.delegations, "since": self.since, "until": self.until, "docs": self.docs}


def _period(iso: str, end: bool = False) -> str:
    """A document's date as the first (or last) day it may mean: '2015' -> '2015-01-01'."""
    if len(iso) == 10:
        return iso
    try:
        return date_bound(iso, end=end) or iso
    except FilterError:
        return iso


def date_bound(value: str | None, end: bool = False, name: str = "date") -> str | None:
    """'2021', '2021-01' or '2021-01-22' -> an ISO date (the start of the period, or its end
    with end=True). None for an empty value; FilterError for anything else."""
    v = (value or "").strip()
    if not v:
        return None
    bad = FilterError(f"{name} {value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
    if re.fullmatch(r"\d{4}", v):
        return f"{v}-12-31" if end else f"{v}-01-01"
    if re.fullmatch(r"\d{4}-\d{2}", v):
        y, m = map(int, v.split("-"))
        if not 1 <= m <= 12:
            raise bad
        if not end:
            return f"{v}-01"
        nxt = date(y + (m == 12), m % 12 + 1, 1)
        return date.fromordinal(nxt.toordinal() - 1).isoformat()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        raise bad
    try:
        return date.fromisoformat(v).isoformat()
    except ValueError:
        raise bad from None


def as_list(x) -> list[str]:
    if x is None:
        return []
    if isinstance(x, str):
        return [x.strip()] if x.strip() else []
    return [str(v).strip() for v in x if v is not None and str(v).strip()]


def parse_filters(delegations=None, since: str | None = None, until: str | None = None,
                  docs=None, prefix: str = "") -> Filters | None:
    """User input -> Filters, or None when no filter is set. Raises FilterError, whose
    message names the field as `prefix` + name ("--since" on the command line)."""
    f = Filters(delegations=as_list(delegations), since=date_bound(since, name=f"{prefix}since"),
                until=date_bound(until, end=True, name=f"{prefix}until"), docs=as_list(docs))
    if f.since and f.until and f.since > f.until:
        raise FilterError(f"{prefix}since {since!r} is after {prefix}until {until!r}: nothing can match")
    return f if f else None


def unknown_filter_values(filters: Filters | None, index) -> str | None:
    """A one-line hint when a filter names a document or delegation the index does not
    have (with the closest names it does have); None when every value is known."""
    if not filters:
        return None
    import difflib

    from .delegations import canonical_delegation, same_delegation

    for d in filters.docs:
        try:
            index.document(d)
        except KeyError:
            names = [doc.id for doc in index.documents]
            close = difflib.get_close_matches(d, names, n=3, cutoff=0.5)
            hint = f"; closest: {', '.join(close)}" if close else "; `qa docs` lists them"
            return f"unknown document {d!r}{hint}"
    have = sorted({doc.delegation for doc in index.documents if doc.delegation})
    for d in filters.delegations:
        if not any(same_delegation(canonical_delegation(d), h) for h in have):
            close = difflib.get_close_matches(d, have, n=3, cutoff=0.4)
            hint = f"; closest: {', '.join(close)}" if close else f"; the index has {len(have)} delegations"
            return f"no statement by delegation {d!r}{hint}"
    return None
