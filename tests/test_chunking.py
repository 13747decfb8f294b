"""Chunks: paragraph-aligned, within both token limits, split at sentences."""

from qa.chunking import chunk_document, chunk_documents, split_sentences
from qa.documents import Document, load_corpus
from qa.settings import ROOT
from qa.tokens import count_tokens, encoding


def test_cl100k_offline():
    assert encoding().encode("hello world") == [15339, 1917]


def test_seed_chunks_respect_both_tokenizers(embedder):
    docs = load_corpus(ROOT / "corpus")
    chunks = chunk_documents(docs, max_tokens=200, min_tokens=10, model_fits=embedder.fits)
    assert chunks
    for c in chunks:
        assert count_tokens(c.text) <= 200
        assert embedder.count_tokens(c.embed_text) <= embedder.max_seq_length == 256
        doc = next(d for d in docs if d.id == c.doc_id)
        # the chunk's text is its paragraphs' own words, from one document
        assert c.text in " ".join(doc.paragraphs[p - 1] for p in c.paragraphs)
    # the salutation joins the paragraph after it; nothing is lost
    assert any(c.doc_id == "PC.DEL/64/21" and c.paragraphs == [1, 2] for c in chunks)
    covered = {(c.doc_id, p) for c in chunks for p in c.paragraphs}
    assert covered == {(d.id, i) for d in docs for i in range(1, len(d.paragraphs) + 1)}


def test_long_paragraph_splits_at_sentences_and_keeps_its_number(embedder):
    sentence = "The delegation reiterates its firm support for the independent work of the observation mission. "
    doc = Document("X/1", "x.txt", ["Short opening paragraph that stands alone here.", sentence * 40],
                   delegation="Ireland", date="2021-01-01", title="A long one")
    chunks = chunk_document(doc, max_tokens=120, min_tokens=5, model_fits=embedder.fits)
    long_parts = [c for c in chunks if c.paragraphs == [2]]
    assert len(long_parts) > 1 and [c.part for c in long_parts] == list(range(1, len(long_parts) + 1))
    for c in long_parts:
        assert count_tokens(c.text) <= 120 and embedder.fits(c.embed_text)
        assert c.text.endswith("mission.")
        assert c.embed_text.startswith("Ireland | 2021-01-01 | A long one\n")


def test_model_limit_wins_over_a_generous_budget(embedder):
    # a budget above the model's 256 word pieces: the model's limit still applies
    doc = Document("X/2", "x.txt", ["Observers noted irregularities in counting. " * 80])
    chunks = chunk_document(doc, max_tokens=2000, model_fits=embedder.fits)
    assert len(chunks) > 1 and all(embedder.fits(c.embed_text) for c in chunks)


def test_sentence_splitter_keeps_abbreviations():
    text = "Mr. Volodin congratulated Mr. Nigmatulin. The U.S. agreed! Did they? Yes."
    sents = [text[s:e].strip() for s, e in split_sentences(text)]
    assert sents == ["Mr. Volodin congratulated Mr. Nigmatulin.", "The U.S. agreed!", "Did they?", "Yes."]


def test_splitter_does_not_break_at_abbreviations_numbers_or_initials():
    from qa.text import sentences
    cases = {
        "As para. 5 of the report says, the count was fair. Observers agreed.": 2,
        "Under Art. 3 the State must act. We agree.": 2,
        "On Jan. 10 the vote took place. Observers came.": 2,
        "There were approx. 650 observers. Many came.": 2,
        "Resolution No. 3 was adopted. It passed.": 2,
        "The mission, e.g. its core team, stayed. It left later.": 2,
        "Mr. J. Smith chaired the session. He then left.": 2,
        "We said no. The vote went ahead anyway.": 2,
    }
    for text, n in cases.items():
        assert len(sentences(text)) == n, sentences(text)


def test_pathological_line_is_split_in_linear_time_within_budget():
    import random
    import time

    rng = random.Random(0)
    words = ["observers", "vote", "mission", "the", "statement", "freedom", "assembly", "report"]
    line = " ".join(rng.choice(words) for _ in range(250_000))       # ~2 MB, no punctuation
    doc = Document("X/3", "x.txt", [line])
    t0 = time.perf_counter()
    chunks = chunk_document(doc, max_tokens=200, min_tokens=10)
    assert time.perf_counter() - t0 < 20          # was quadratic: 446 s for 2 MB
    assert len(chunks) > 1000 and all(count_tokens(c.text) <= 200 for c in chunks[:50])
    # nothing lost: the pieces are the line, in order
    assert " ".join(c.text for c in chunks) == line
    # and a line with no spaces at all is cut too
    chunks = chunk_document(Document("X/4", "x.txt", ["x" * 300_000]), max_tokens=200)
    assert all(count_tokens(c.text) <= 200 for c in chunks) and "".join(c.text for c in chunks) == "x" * 300_000


def test_text_that_is_not_prose_is_flagged():
    from qa.text import looks_like_prose
    assert looks_like_prose("The delegation welcomes the report of the mission, and thanks its staff. " * 3)
    assert not looks_like_prose("spam " * 100)
    assert not looks_like_prose(" ".join(f"word{i} observers vote" for i in range(30)).replace("0", ""))
    assert not looks_like_prose(" ".join(["observers vote, Kazakh fair. Found Russia"] * 30))
