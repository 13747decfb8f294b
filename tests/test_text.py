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
