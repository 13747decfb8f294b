"""Metadata supplied from outside a statement's text: the schema, sidecars, the collection manifest.

One schema (`Metadata`) checks both places metadata comes from:

* a sidecar `<file>.meta.json` next to one statement (a JSON object);
* the collection manifest at the corpus root, `collection.csv` or `collection.jsonl`:
  one row per statement, with a `file` column (the path relative to the corpus root,
  `/`-separated) and any of the metadata keys. For a folder of thousands of files.

Precedence: a sidecar overrides the manifest row, which overrides what the text prints.
Every problem is a CorpusError of one line naming the file (and line) and the field.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Annotated, Optional

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, ValidationError

from .documents import META_KEYS, SIDECAR_SUFFIX, TEXT_SUFFIXES, CorpusError

MANIFEST_NAMES = ("collection.csv", "collection.jsonl")
ALIAS_SEPARATOR = ";"     # in a CSV manifest's aliases cell: "UNGD/70/KAZ;KAZ_70_2015"

_PARTIAL_DATE_RE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


def _iso_date(value: str) -> str:
    """YYYY-MM-DD; or YYYY / YYYY-MM when only the year (month) is known, as for a speech
    known by its session's year. Filters treat a partial date as the whole period."""
    if not _PARTIAL_DATE_RE.fullmatch(value):
        raise ValueError("bad date")
    parts = [int(x) for x in value.split("-")]
    try:
        date(parts[0], *(parts[1:] + [1] * (3 - len(parts))))
    except ValueError:
        raise ValueError("bad date") from None
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
IsoDate = Annotated[str, AfterValidator(_iso_date)]


class Metadata(BaseModel):
    """What a sidecar or a manifest row may say about a statement. Unknown keys and wrong
    types are refused (a typo or a number where a name belongs is never accepted)."""
    model_config = ConfigDict(extra="forbid", strict=True)

    id: Optional[Text] = None
    date: Optional[IsoDate] = None
    delivered: Optional[IsoDate] = None
    delegation: Optional[Text] = None
    speaker: Optional[Text] = None
    meeting: Optional[Text] = None
    title: Optional[Text] = None
    language: Optional[Text] = None
    aliases: Optional[list[Text]] = None


assert set(Metadata.model_fields) == set(META_KEYS), "the schema and documents.META_KEYS must agree"

_EXPECTED = {
    "date": "an ISO date YYYY-MM-DD (or YYYY, YYYY-MM)",
    "delivered": "an ISO date YYYY-MM-DD (or YYYY, YYYY-MM)",
    "aliases": "a list of document ids",
}


def validate(data: object, where: str) -> dict:
    """`data` checked against the schema: the keys it sets (None values dropped).
    `where` opens every error message ("corpus/x.txt.meta.json", "collection.csv: line 7")."""
    if not isinstance(data, dict):
        raise CorpusError(f"{where}: metadata must be a JSON object")
    unknown = sorted(set(data) - set(META_KEYS))
    if unknown:
        raise CorpusError(f"{where}: unknown metadata keys {unknown}; allowed: {', '.join(META_KEYS)}")
    try:
        meta = Metadata.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        key = str(err["loc"][0]) if err["loc"] else "?"
        expected = _EXPECTED.get(key, "a non-empty string")
        raise CorpusError(f'{where}: "{key}" must be {expected} (got {data.get(key)!r})') from None
    return meta.model_dump(exclude_none=True)


def read_sidecar(path: Path) -> dict:
    """The metadata in `path`'s sidecar (`<file>.meta.json`, or `<stem>.meta.json`), or {}."""
    side = sidecar_path(path)
    if side is None:
        return {}
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CorpusError(f"{side}: invalid metadata file: {e}") from None
    return validate(data, str(side))


def sidecar_path(path: Path) -> Path | None:
    for side in (path.with_name(path.name + SIDECAR_SUFFIX), path.with_suffix(SIDECAR_SUFFIX)):
        if side.exists():
            return side
    return None


def manifest_path(corpus_dir: Path) -> Path | None:
    """The corpus folder's manifest, if it has one; two of them is an error."""
    found = [Path(corpus_dir) / n for n in MANIFEST_NAMES if (Path(corpus_dir) / n).is_file()]
    if len(found) > 1:
        raise CorpusError(f"{corpus_dir}: two collection manifests ({', '.join(p.name for p in found)}); keep one")
    return found[0] if found else None


def load_manifest(corpus_dir: Path) -> dict[str, dict]:
    """Metadata per statement file (its path relative to the corpus folder, `/`-separated)
    from the folder's manifest; {} when there is none."""
    path = manifest_path(corpus_dir)
    if path is None:
        return {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise CorpusError(f"{path}: cannot read the manifest: {e}") from None
    rows = _csv_rows(path, text) if path.suffix == ".csv" else _jsonl_rows(path, text)
    out: dict[str, dict] = {}
    root = Path(corpus_dir)
    for line, row in rows:
        where = f"{path}: line {line}"
        name = row.pop("file", None)
        if not isinstance(name, str) or not name.strip():
            raise CorpusError(f'{where}: "file" is missing (the statement\'s path relative to {root})')
        rel = PurePosixPath(name.strip().replace("\\", "/")).as_posix()
        target = root / rel
        if not target.is_file():
            raise CorpusError(f"{where}: file {rel!r} not found in {root}")
        if not rel.lower().endswith(TEXT_SUFFIXES):
            raise CorpusError(f"{where}: file {rel!r} is not a statement ({', '.join(TEXT_SUFFIXES)})")
        if rel in out:
            raise CorpusError(f"{where}: file {rel!r} is listed twice")
        out[rel] = validate(row, where)
    return out


def _csv_rows(path: Path, text: str):
    reader = csv.DictReader(text.splitlines())
    columns = reader.fieldnames or []
    unknown = [c for c in columns if c not in ("file", *META_KEYS)]
    if "file" not in columns or unknown:
        problem = f"unknown column {unknown[0]!r}" if unknown else 'no "file" column'
        raise CorpusError(f"{path}: line 1: {problem}; columns: file, {', '.join(META_KEYS)}")
    for row in reader:
        if None in row:
            raise CorpusError(f"{path}: line {reader.line_num}: more cells than columns")
        # an empty cell says nothing; aliases are one cell, separated by ";"
        data = {k: v for k, v in row.items() if v is not None and v.strip()}
        if "aliases" in data:
            data["aliases"] = [a.strip() for a in data["aliases"].split(ALIAS_SEPARATOR) if a.strip()]
        yield reader.line_num, data


def _jsonl_rows(path: Path, text: str):
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as e:
            raise CorpusError(f"{path}: line {n}: not JSON: {e.msg}") from None
        if not isinstance(data, dict):
            raise CorpusError(f"{path}: line {n}: each line must be a JSON object")
        unknown = [k for k in data if k not in ("file", *META_KEYS)]
        if unknown:
            raise CorpusError(f"{path}: line {n}: unknown key {unknown[0]!r}; keys: file, {', '.join(META_KEYS)}")
        yield n, data


def write_manifest(path: Path, rows: list[dict]) -> None:
    """Write a manifest (`.csv` or `.jsonl`, by the name) atomically; rows hold `file` and metadata keys."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    columns = ["file", *[k for k in META_KEYS if any(k in r for r in rows)]]
    with tmp.open("w", encoding="utf-8", newline="") as f:
        if path.suffix == ".csv":
            w = csv.DictWriter(f, fieldnames=columns)
            w.writeheader()
            for r in rows:
                w.writerow({k: ALIAS_SEPARATOR.join(v) if isinstance(v, list) else v for k, v in r.items()})
        else:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    tmp.replace(path)
