"""qa/text.py and the settings' environment: words, stems, and no side effects on import."""

import os
import subprocess
import sys

from qa.settings import ROOT
from qa.text import YEAR, stem, stems


def test_stems_are_snowball_and_drop_the_possessive():
    assert stem("Kazakhstan's") == "kazakhstan" == stem("Kazakhstan")
    assert stem("elections") == stem("election")
    assert stems("observers observed") == {"observ"}


def test_years_are_not_parts_of_numbers():
    assert YEAR.findall("In 2021, 1/2000 and 2,000 and 2021.5 were not years; 1999 was.") == ["2021", "1999"]


def test_importing_the_package_changes_no_environment_variable():
    code = ("import os; before = dict(os.environ); "
            "import qa.settings, qa.retrieval, qa.answer, qa.abstention, qa.conversation, qa.chunking, qa.text; "
            "print(sorted(k for k in os.environ if os.environ.get(k) != before.get(k)))")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_", "TOKENIZERS_", "GRADIO_"))}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_entry_points_set_the_offline_environment():
    from qa.settings import OFFLINE_ENVIRONMENT, offline_environment
    offline_environment()
    assert all(os.environ.get(k) for k in OFFLINE_ENVIRONMENT)
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_a_reflexive_pronoun_is_no_topic_word():
    # "Had the Maltese themselves admitted shortcomings?": the abstention rules once found Malta's
    # statements lacking "themselves or shortcomings"; a follow-up carried it as a topic word too
    from qa.conversation import content_words
    from qa.text import FUNCTION_WORDS
    assert {"themselves", "itself", "himself", "herself"} <= FUNCTION_WORDS
    assert content_words("Had the Maltese themselves admitted any shortcomings?") == ["Maltese", "admitted",
                                                                                     "shortcomings"]


def test_a_question_typed_without_capitals_is_written_as_the_corpus_writes_its_names():
    from qa.text import is_uncased, truecase, written_forms
    corpus = ["The ODIHR mission observed the vote in Kazakhstan. We note that Kazakhstan held it in March 2021.",
              "However, the mission in Kazakhstan found that observers may march. Observers said ODIHR was late.",
              "The Treaty was signed. Observers and the treaty."]
    forms = written_forms(corpus, {"moscow": "Moscow"})
    assert forms["kazakhstan"] == "Kazakhstan" and forms["odihr"] == "ODIHR" and forms["moscow"] == "Moscow"
    # opening a sentence says nothing; a word as often lowercase is no name; function words never are
    assert "however" not in forms and "observers" not in forms and "treaty" not in forms and "we" not in forms
    assert is_uncased("what did moscow say?") and not is_uncased("What did Moscow say?")
    assert truecase("what did moscow's envoy say about odihr in kazakhstan?", forms) == \
        "What did Moscow's envoy say about ODIHR in Kazakhstan?"
    forms["march"] = forms["may"] = "March"
    # "may" and "march" are months beside a day or a year only; "us" after "the" is the US
    assert truecase("may the us march in march 2021?", forms) == "May the US march in March 2021?"


def test_a_lowercase_question_is_searched_and_refused_like_the_written_one(retriever):
    for written in ("Did the EU comment on Kazakhstan's 2016 parliamentary vote?",
                    "What did Russia say about the Mazhilis vote in January 2021?",
                    "What did Russia say about Georgia?",                   # refused: Georgia is a name
                    "According to the Kazakh delegation, were ODIHR's monitors welcome?"):
        as_typed, asked = retriever.search(written.lower(), k=3), retriever.search(written, k=3)
        assert as_typed.understood.speakers == asked.understood.speakers != []
        assert (as_typed.abstained, as_typed.reason) == (asked.abstained, asked.reason)
        assert [h.citation for h in as_typed.hits] == [h.citation for h in asked.hits]
    # a question naming no delegation or acronym is left as typed: "Treaty" is no name in it
    assert retriever.search("which treaty did they cite?", k=3).understood.question == "which treaty did they cite?"


def test_a_name_one_letter_off_is_read_as_the_name():
    from qa.text import deletion_index, respell
    index = deletion_index(["kazakhstan", "kyrgyzstan", "austria", "australia", "georgia", "malta"])
    assert respell("Kazakstan", index) == "kazakhstan"          # a letter dropped
    assert respell("kyrgyzstann", index) == "kyrgyzstan"        # one added
    assert respell("Kyrgizstan", index) == "kyrgyzstan"         # one replaced
    assert respell("Kazakhstan", index) == "kazakhstan"
    assert respell("Austrelya", index) is None                  # two letters off
    assert respell("Malt", index) is None and respell("Maltaa", index) is None   # short names are not guessed


def test_a_question_with_a_misspelt_name_is_searched_and_refused_like_the_written_one(retriever):
    for written, typed in (("What did Russia say about Kazakhstan's 2021 vote?", "What did Russia say about Kazakstan's 2021 vote?"),
                           ("Did the EU comment on Kyrgyzstan's 2016 elections?", "did the eu comment on kyrgystan's 2016 elections?")):
        asked, as_typed = retriever.search(written, k=3), retriever.search(typed, k=3)
        assert (as_typed.abstained, as_typed.reason) == (asked.abstained, asked.reason)
        assert [h.citation for h in as_typed.hits] == [h.citation for h in asked.hits]
    # a word no statement has and that is no name stays as typed
    assert retriever.search("What did Russia say about the Karabakhian talks?", k=3).understood.question == \
        "What did Russia say about the Karabakhian talks?"
