"""The out-of-sample question sets stay consistent with the corpus they are written for:
every evidence string occurs in the paragraph its question cites (so a parser change
that renumbers paragraphs or alters their text shows up here), and the split is stable."""
import importlib.util
import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UN_2015 = Path("/work/ungdc/ungdc-1946-2024/Session 70 - 2015")
UN_TARBALL = ROOT.parent / "shared" / "corpora" / "ungdc-1946-2024.tar.xz"


def _sets_module():
    spec = importlib.util.spec_from_file_location("eval_sets", ROOT / "eval" / "sets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def mixed_corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mixed")
    for pattern in ("corpus/*.txt", "corpus/*.meta.json", "eval/distractors/*.txt"):
        for path in ROOT.glob(pattern):
            shutil.copy(path, folder)
    return folder


@pytest.mark.parametrize("name", ["mixed", "chat", "stance", "mixed2", "chat2", "mixed3", "chat3", "mixed4", "chat4",
                                  "mixed5", "chat5", "chat6", "stance2", "mixed6", "chat9", "chat10", "chat11", "chat12",
                                  "chat13", "mixed7", "chat14", "mixed8", "chat15", "mixed9", "chat16", "mixed10", "chat17", "mixed11", "chat18", "mixed12", "chat19", "mixed13", "chat20"])
@pytest.mark.parametrize("split", ["dev", "test"])
def test_mixed_corpus_sets_match_their_paragraphs(name, split, mixed_corpus, capsys):
    assert _sets_module().check(ROOT / "eval" / f"{name}-{split}.jsonl", mixed_corpus) == 0, capsys.readouterr().out


def test_unanswerable_dev_controls_match_their_paragraphs(mixed_corpus, capsys):
    # (fresh-test's a08 cites header text on purpose: eval/README.md)
    assert _sets_module().check(ROOT / "eval" / "unanswerable-dev.jsonl", mixed_corpus) == 0, capsys.readouterr().out
    assert _sets_module().check(ROOT / "eval" / "chat7-dev.jsonl", mixed_corpus) == 0, capsys.readouterr().out
    assert _sets_module().check(ROOT / "eval" / "chat8-dev.jsonl", mixed_corpus) == 0, capsys.readouterr().out


@pytest.fixture(scope="module")
def un_2015(tmp_path_factory) -> Path:
    """The 2015 session's speeches: unpacked already, or taken from the shared archive (as
    `make eval-un` does), so CI checks the UN set too."""
    if UN_2015.is_dir():
        return UN_2015
    if not UN_TARBALL.exists():
        # CI always has shared/ beside the checkout: there the UN set must be checked
        pytest.fail(f"the UN set needs {UN_2015} or {UN_TARBALL} (shared/ beside the checkout)")
    import subprocess
    out = tmp_path_factory.mktemp("un-2015")
    subprocess.run(["tar", "-xJf", str(UN_TARBALL), "-C", str(out), "--strip-components=2", "--wildcards",
                    "*Session 70 - 2015/*"], check=True)
    return out


@pytest.mark.parametrize("name", ["un", "un2", "un3", "un4", "un5", "un6", "un7", "un8", "un9", "un10", "un11", "un12", "un13"])
@pytest.mark.parametrize("split", ["dev", "test"])
def test_un_set_evidence_singles_out_one_speech(name, split, un_2015, capsys):
    assert _sets_module().check(ROOT / "eval" / f"{name}-{split}.jsonl", un_2015) == 0, capsys.readouterr().out


def test_the_rules_checks_written_blind_match_their_texts(mixed_corpus, un_2015, capsys):
    """eval/rules-*-test.jsonl: the checks of this pass's rules on questions written without them."""
    assert _sets_module().check(ROOT / "eval" / "rules-un-test.jsonl", un_2015) == 0, capsys.readouterr().out
    assert _sets_module().check(ROOT / "eval" / "regions-un-test.jsonl", un_2015) == 0, capsys.readouterr().out
    assert _sets_module().check(ROOT / "eval" / "rules9-un-test.jsonl", un_2015) == 0, capsys.readouterr().out
    assert _sets_module().check(ROOT / "eval" / "rules9-mixed-test.jsonl", mixed_corpus) == 0, capsys.readouterr().out
    assert _sets_module().check(ROOT / "eval" / "rules-mixed-test.jsonl", mixed_corpus) == 0, capsys.readouterr().out


def test_check_reports_evidence_found_nowhere_and_in_an_unlisted_paragraph(mixed_corpus, tmp_path, capsys):
    bad = [
        {"id": "x1", "question": "?", "evidence": ["this sentence occurs in no statement at all"],
         "relevant": [{"doc": "PC.DEL/64/21", "paragraph": 2}]},
        {"id": "x2", "question": "?", "evidence": ["We congratulate our friend Kazakhstan on the excellent organization"],
         "relevant": [{"doc": "PC.DEL/64/21", "paragraph": 3}]},
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(json.dumps(q) + "\n" for q in bad), encoding="utf-8")
    assert _sets_module().check(path, mixed_corpus) == 1
    out = capsys.readouterr().out
    assert "x1: evidence occurs in no paragraph" in out
    assert "x2: evidence 'We congratulate our friend Kazakhstan on the excellent organization' also occurs in PC.DEL/64/21 ¶2, not listed" in out
    assert "x2: relevant pc.del/64/21 ¶3 contains none of its evidence strings" in out


def test_split_is_stable_and_keeps_the_share_of_unanswerable(tmp_path):
    questions = [{"id": f"q{i}", "question": "?", "answerable": i % 4 != 0} for i in range(20)]
    source = tmp_path / "all.jsonl"
    source.write_text("".join(json.dumps(q) + "\n" for q in questions), encoding="utf-8")
    sets = _sets_module()
    sets.split(source, tmp_path / "a", seed=13)
    sets.split(source, tmp_path / "b", seed=13)
    for part in ("dev", "test"):
        a = (tmp_path / f"a-{part}.jsonl").read_text()
        assert a == (tmp_path / f"b-{part}.jsonl").read_text()
        rows = [json.loads(line) for line in a.splitlines()]
        # 15 answerable and 5 unanswerable: each group is halved (the odd one goes to dev)
        assert sum(q["answerable"] for q in rows) in (7, 8)
        assert sum(not q["answerable"] for q in rows) in (2, 3)
    ids = {json.loads(line)["id"] for part in ("dev", "test") for line in (tmp_path / f"a-{part}.jsonl").read_text().splitlines()}
    assert ids == {q["id"] for q in questions}
