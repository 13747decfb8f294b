"""The collection manifest and the one metadata schema shared with sidecars."""

import pytest

from qa.documents import CorpusError, corpus_files, corpus_inputs, iter_corpus, load_corpus, unsupported_files


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path):
    write(tmp_path / "Session 70 - 2015" / "KAZ_70_2015.txt", "We support the Charter.\nThank you.\n")
    write(tmp_path / "Session 70 - 2015" / "FRA_70_2015.txt", "La France salue le rapport.\n")
    return tmp_path


CSV = ("file,id,delegation,date,meeting,aliases\n"
       "Session 70 - 2015/KAZ_70_2015.txt,UNGD/70/KAZ,Kazakhstan,2015,\"UN General Assembly, 70th session\","
       "KAZ_70_2015;kz70\n"
       "Session 70 - 2015/FRA_70_2015.txt,UNGD/70/FRA,France,2015-09-28,,\n")


def test_a_csv_manifest_gives_metadata_to_every_file(folder):
    write(folder / "collection.csv", CSV)
    docs = {d.id: d for d in load_corpus(folder)}
    kaz = docs["UNGD/70/KAZ"]
    assert (kaz.delegation, kaz.date, kaz.meeting) == ("Kazakhstan", "2015", "UN General Assembly, 70th session")
    assert kaz.aliases == ["KAZ_70_2015", "kz70"]
    assert kaz.paragraphs == ["We support the Charter.", "Thank you."]
    assert docs["UNGD/70/FRA"].date == "2015-09-28" and docs["UNGD/70/FRA"].meeting is None


def test_a_jsonl_manifest_and_a_sidecar_that_overrides_it(folder):
    write(folder / "collection.jsonl",
          '{"file": "Session 70 - 2015/KAZ_70_2015.txt", "delegation": "Kazakhstan", "speaker": "Mr. A"}\n\n')
    write(folder / "Session 70 - 2015" / "KAZ_70_2015.txt.meta.json", '{"speaker": "Mr. B"}')
    kaz = next(d for d in load_corpus(folder) if d.id == "KAZ_70_2015")
    assert (kaz.delegation, kaz.speaker) == ("Kazakhstan", "Mr. B")


def test_the_manifest_is_an_input_not_a_statement(folder):
    manifest = write(folder / "collection.csv", CSV)
    assert manifest in corpus_inputs(folder) and manifest not in corpus_files(folder)
    assert unsupported_files(folder) == []
    write(folder / "notes.csv", "x\n")       # another CSV is still named as unsupported
    assert unsupported_files(folder) == [folder / "notes.csv"]


@pytest.mark.parametrize("manifest,message", [
    ("file,delegaton\na.txt,X\n", r"collection\.csv: line 1: unknown column 'delegaton'"),
    ("id\nX\n", r'collection\.csv: line 1: no "file" column'),
    ("file,id\nmissing.txt,X\n", r"collection\.csv: line 2: file 'missing\.txt' not found"),
    ("file,date\na.txt,2021-13-45\n", r'collection\.csv: line 2: "date" must be an ISO date YYYY-MM-DD .*2021-13-45'),
    ("file,date\na.txt,21 May 2021\n", r'collection\.csv: line 2: "date" must be an ISO date'),
    ("file,id\na.txt,X\na.txt,Y\n", r"collection\.csv: line 3: file 'a\.txt' is listed twice"),
    ("file,id\na.txt,X,extra\n", r"collection\.csv: line 2: more cells than columns"),
])
def test_a_bad_csv_manifest_is_one_line_naming_file_line_and_problem(tmp_path, manifest, message):
    write(tmp_path / "a.txt", "We agree.\n")
    write(tmp_path / "collection.csv", manifest)
    with pytest.raises(CorpusError, match=message):
        list(iter_corpus(tmp_path, on_error=lambda e: None))   # fatal even when files are skippable


@pytest.mark.parametrize("line,message", [
    ('{"file": "a.txt", "speaker": 123}', r'collection\.jsonl: line 1: "speaker" must be a non-empty string \(got 123\)'),
    ('{"file": "a.txt", "id": ["x"]}', r'line 1: "id" must be a non-empty string'),
    ('{"file": "a.txt", "aliases": "x"}', r'line 1: "aliases" must be a list of document ids'),
    ('{"file": "a.txt", "colour": "red"}', r"line 1: unknown key 'colour'"),
    ('{"file": "a.txt", ', r"line 1: not JSON"),
    ('["a.txt"]', r"line 1: each line must be a JSON object"),
])
def test_a_bad_jsonl_manifest_row(tmp_path, line, message):
    write(tmp_path / "a.txt", "We agree.\n")
    write(tmp_path / "collection.jsonl", line + "\n")
    with pytest.raises(CorpusError, match=message):
        load_corpus(tmp_path)


@pytest.mark.parametrize("sidecar,message", [
    ('{"speaker": 123}', r'"speaker" must be a non-empty string \(got 123\)'),
    ('{"meeting": 7}', r'"meeting" must be a non-empty string \(got 7\)'),
    ('{"delegation": ["Malta"]}', r'"delegation" must be a non-empty string'),
    ('{"title": {"en": "x"}}', r'"title" must be a non-empty string'),
    ('{"id": 5}', r'"id" must be a non-empty string \(got 5\)'),
    ('{"date": 20210504}', r'"date" must be an ISO date YYYY-MM-DD .*\(got 20210504\)'),
    ('{"date": "2021-02-30"}', r'"date" must be an ISO date YYYY-MM-DD'),
    ('{"delegation": "  "}', r'"delegation" must be a non-empty string'),
    ('[1, 2]', r"metadata must be a JSON object"),
])
def test_a_sidecar_of_the_wrong_type_is_refused_in_one_line(tmp_path, sidecar, message):
    write(tmp_path / "a.txt", "We agree.\n")
    write(tmp_path / "a.txt.meta.json", sidecar)
    with pytest.raises(CorpusError) as e:
        load_corpus(tmp_path)
    assert "\n" not in str(e.value)
    assert str(e.value).startswith(f"{tmp_path / 'a.txt.meta.json'}: ")
    import re
    assert re.search(message, str(e.value))


def test_two_manifests_are_an_error(folder):
    write(folder / "collection.csv", CSV)
    write(folder / "collection.jsonl", "")
    with pytest.raises(CorpusError, match="two collection manifests"):
        load_corpus(folder)


def test_a_changed_manifest_changes_the_corpus_inputs_bytes(folder):
    manifest = write(folder / "collection.csv", CSV)
    before = manifest.read_bytes()
    write(folder / "collection.csv", CSV.replace("Kazakhstan", "Republic of Kazakhstan"))
    assert manifest in corpus_inputs(folder) and manifest.read_bytes() != before


def test_partial_dates_are_kept_whole_and_filtered_as_periods(folder):
    from qa.filters import parse_filters
    write(folder / "collection.csv", CSV)
    kaz = next(d for d in load_corpus(folder) if d.id == "UNGD/70/KAZ")
    assert parse_filters(None, "2015-09-01", None, None).allows(kaz)       # 2015 overlaps
    assert parse_filters(None, None, "2015-01-31", None).allows(kaz)
    assert not parse_filters(None, "2016", None, None).allows(kaz)
    assert not parse_filters(None, None, "2014-12-31", None).allows(kaz)


def _un_manifest_script():
    import importlib.util
    from qa.settings import ROOT
    spec = importlib.util.spec_from_file_location("un_manifest", ROOT / "scripts" / "un_manifest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("code,name", [
    ("KAZ", "Kazakhstan"), ("RUS", "Russian Federation"), ("USA", "United States"), ("GBR", "United Kingdom"),
    ("TUR", "Türkiye"), ("MDA", "Moldova"), ("MKD", "North Macedonia"), ("EU", "European Union"),
    ("YUG", "Yugoslavia"), ("CSK", "Czechoslovakia"), ("DDR", "German Democratic Republic"),
    ("KOR", "Republic of Korea"), ("IRN", "Iran"), ("BRA", "Brazil"), ("XXX", None),
])
def test_un_codes_become_delegation_names(code, name):
    assert _un_manifest_script().delegation_name(code) == name


def test_the_un_manifest_is_written_from_file_names_and_read_back(folder):
    script = _un_manifest_script()
    write(folder / "Session 70 - 2015" / "notes.txt", "Not a speech.\n")
    skipped = []
    rows = script.rows(folder, report=skipped.append)
    from qa.collection import write_manifest
    write_manifest(folder / "collection.csv", rows)
    assert skipped == [f"skipped {folder / 'Session 70 - 2015' / 'notes.txt'}: name is not CODE_SESSION_YEAR.txt"]
    docs = {d.id: d for d in load_corpus(folder)}
    kaz = docs["UNGD/70/KAZ"]
    assert (kaz.delegation, kaz.date, kaz.meeting) == ("Kazakhstan", "2015",
                                                       "UN General Assembly, 70th session, General Debate")
    assert "KAZ_70_2015" in kaz.aliases and docs["UNGD/70/FRA"].delegation == "France"
