"""The retriever's stages, each on its own, and the pipeline on the seed corpus with the real model."""

import time

import numpy as np
import pytest

from qa.answer import ask
from qa.conversation import contextualize, is_followup, named_entities
from qa.query import QuestionTooLong
from qa.stance import CALL, CRITICISE, PRAISE, asked_stance, stances

US = "us-pc-2016-04-07-kazakhstan-elections"
EU = "PC.DEL/80/21/Rev.1"


# --- 1. query understanding ------------------------------------------------------

@pytest.mark.parametrize("question", [
    "Which observers did Russia say found that the 2021 vote was fair?",   # "that" introduces a clause
    "Who is Tokayev?",                                                     # short, but names its topic
    "What did Russia say about its observers?",                            # "its" refers to Russia
    "What did the CIS observers say they saw?",                            # "they" are the CIS observers
    "Who chaired the round table in 2011?",
    "Which delegations criticised the methodology of election observation?",   # three topic words
    "Did Russia say that harsh criticism of the 2021 vote was unfair?",    # "that" opens what was said
    "Did the EU argue that presidential elections must be free in Kyrgyzstan?",   # ... before an adjective and an event
    "Did the EU welcome the vote and did it mention observers?",          # "it" is the EU
])
def test_a_question_that_stands_alone_is_not_a_follow_up(question):
    assert not is_followup(question)
    assert contextualize(question, ["What did the US say about media freedom in 2016?"]) == \
        contextualize(question, [])


@pytest.mark.parametrize("question", [
    "And the EU?", "What about 2016?", "And how did Russia assess them?", "How did Russia assess them?",
    "What did they say about the elections?", "Did these elections meet the commitments?", "Why?",
    "Which parties did they belong to?", "Did that same speaker raise it again in 2022?",
    "Which of the two was observed by ODIHR?",
    "Did Russia agree?", "How did Russia reply?", "Did anyone object?",     # a reaction, to what the turn said
    "Did Turkey push back?",
    "Which articles of the Helsinki Final Act did it cite?",   # "it" cites: a speaker, not the Act
    "What did the observers conclude?", "Was the process inclusive?",      # no name, year or acronym of their own
    "What did the observers say they saw?",     # "they" are the observers, but which observers is the turn's
    "What did the United States say?", "What did Kazakhstan say?",   # a speaker, nothing said about what
    "Did the EU comment on that as well?", "What did Russia say about that in its reply?",   # "that": the turn's topic
    "Did the Holy See say anything on that subject?", "Had the US admitted shortcomings on that front?",
    "Which observers signed that preliminary report on the mission?",   # "that", an adjective, the event
    "Did Norway back that kind of reform?", "Did Malta ever fund that institution?",   # "that" + what was spoken of
])
def test_a_question_that_leans_on_the_earlier_turn_is_a_follow_up(question):
    assert is_followup(question)


def test_a_reaction_follow_up_keeps_the_topic_and_changes_the_speaker():
    query = contextualize("Did Russia agree?", ["What did the EU say about Georgia's 2020 elections?"])
    assert "Georgia" in query and "2020" in query and "Russian Federation" in query
    assert "EU" not in query.split() and "European Union" not in query
    query = contextualize("Did Turkey push back?", ["What did Norway say about minority rights in 2016?"])
    assert "minority" in query and "2016" in query and "Türkiye" in query


def test_a_follow_up_about_anyone_else_keeps_the_topic_and_drops_the_speaker():
    query = contextualize("Did anyone disagree?", ["What did Switzerland say about ODIHR's observation methodology?"])
    assert "methodology" in query and "Switzerland" not in query


def test_a_follow_up_year_replaces_the_earlier_one():
    query = contextualize("What about 2016?", ["What did the US say about media freedom in 2021?"])
    assert "2016" in query and "2021" not in query and "media freedom" in query


def test_it_after_a_question_about_a_delegation_s_statement_is_that_delegation():
    # "it" is the Russian statement; Canada is the topic of both turns, not the speaker
    query = contextualize("What did it say about the protests in Canada?",
                          ["Which Russian statement replied to Canada on freedom of assembly in 2019?"])
    assert query.endswith("Russian Federation")


def test_a_follow_up_month_replaces_the_earlier_one_and_may_the_verb_does_not():
    before = ["What did Russia say about Kyrgyzstan's referendum in January 2021?"]
    query = contextualize("And the Americans on the April vote?", before)
    assert "April" in query and "January" not in query and "referendum" in query
    assert "January" in contextualize("What may they have meant?", before)
    # a year of its own takes the earlier turn's month with the earlier year
    query = contextualize("And the EU in 2021?", ["What did the US urge after Kazakhstan's March 2016 elections?"])
    assert "2021" in query and "2016" not in query and "March" not in query and "elections" in query


@pytest.mark.parametrize("question,speakers", [
    ("And in 2023?", ["European Union"]),                                   # the earlier turn's speaker
    ("What did it ask the authorities to change?", ["European Union"]),     # ... named by a pronoun
    ("And about Uzbekistan's vote?", ["European Union"]),                   # ... kept with a new topic
    ("And Moscow, then?", ["Russian Federation"]),                          # a new speaker
    ("And the Americans on the later vote?", ["United States"]),
    ("And Georgia's elections?", ["European Union"]),                       # Georgia is asked about
    ("And Moscow, on Uzbekistan's vote?", ["Russian Federation"]),          # a new speaker and topic
    ("And London?", ["United Kingdom"]),                                    # a capital as a speaker
    ("Did anyone else criticise it?", []),                                  # other speakers than the EU
    ("Did Russia agree?", ["Russian Federation"]),                          # a speaker and a reaction
    ("What about Moscow's take on the 2022 vote?", ["Russian Federation"]),  # a possessive view: a speaker
    ("How about the UK's reaction?", ["United Kingdom"]),
    # names a delegation and leans back only for "they" (the recommendations): no speaker
    ("How many proposals did ODIHR make after Kazakhstan's 2011 vote, and were they adopted?", []),
])
def test_a_follow_up_keeps_or_replaces_the_earlier_speaker(retriever, question, speakers):
    from qa.query import understand
    history = ["What did the EU think of Kazakhstan's 2021 Mazhilis vote?"]
    assert understand(question, history, None, retriever.signals).all_speakers == speakers


@pytest.mark.parametrize("history,question,speakers", [
    # the latest turn that names a speaker, not the first
    (["What did the EU say about Kazakhstan in January 2021?", "What about Russia?"], "And in March?",
     ["Russian Federation"]),
    (["What did Russia say about the 2021 elections?"], "And the United States and the EU?",
     ["United States", "European Union"]),
])
def test_a_follow_up_speaks_with_the_latest_named_speakers(retriever, history, question, speakers):
    from qa.query import understand
    assert understand(question, history, None, retriever.signals).all_speakers == speakers


def test_a_follow_up_about_a_new_topic_takes_only_its_speaker_from_the_earlier_turn():
    query = contextualize("And what did it say about Kyrgyzstan's new electoral code?",
                          ["What did the United States say about media freedom in Kazakhstan in 2018?"])
    assert "United States" in query and "2018" not in query and "media" not in query
    assert "Kazakhstan" not in query   # the earlier turn's topic, not its speaker


def test_a_follow_up_with_a_place_of_its_own_drops_the_earlier_places():
    before = ["How did Malta sum up Poland's 2020 elections?"]
    query = contextualize("And Lisbon, on Iceland's 2021 vote?", before)
    assert "Iceland" in query and "Poland" not in query and "2020" not in query and "sum" in query
    # a new speaker alone keeps the earlier topic, possessive or not
    assert "Poland" in contextualize("And Portugal?", before)
    assert "Poland" in contextualize("And Portugal?", ["What did Malta say about the elections in Poland?"])
    assert "Poland" in contextualize("And how did Portugal assess them?", before)
    # a capital opening an ellipsis is a new speaker: the old one goes, the topic stays
    query = contextualize("And Lisbon?", ["What did the EU say about Poland's 2020 budget?"])
    assert "Poland" in query and "EU" not in query and "European Union" not in query


def test_a_follow_up_opening_with_a_new_speaker_then_saying_they_keeps_the_topic_not_the_speaker():
    # "they" are the British the question opens with, not the earlier turn's EU
    query = contextualize("And the British in 2016: did they find the voters had a real choice?",
                          ["How did the EU judge Kazakhstan's 2021 parliamentary elections?"])
    assert "parliamentary" in query and "European Union" not in query and "EU" not in query.split()
    assert "2021" not in query


def test_a_few_months_later_is_not_the_earlier_month():
    query = contextualize("And the British, some months later: did they find the new constitution balanced?",
                          ["How did Russia judge Kyrgyzstan's referendum of January 2021?"])
    assert "January" not in query and "2021" in query and "referendum" in query
    assert "January" in contextualize("And the British?", ["What did Russia say about the vote in January 2021?"])


def test_a_new_speaker_with_a_named_topic_of_its_own_carries_nothing():
    # "it" is Malta, and ODIHR's findings are the topic: the Istanbul Summit stays behind
    history = ["How did Norway describe ODIHR's methods in 2022?", "Was the Istanbul Summit mentioned?"]
    question = "And Malta in 2019: what did it make of ODIHR's critical findings?"
    assert contextualize(question, history) == question


def test_a_follow_up_moves_the_earlier_year_by_the_year_it_names():
    before = ["What did Malta say about Poland's 2020 budget?"]
    assert "2021" in contextualize("And the following year?", before)
    query = contextualize("And a year earlier?", before)
    assert "2019" in query and "2020" not in query
    assert "2020" in contextualize("And what did it urge?", before)
    query = contextualize("And a decade later?", before)
    assert "2030" in query and "2020" not in query
    assert "2018" in contextualize("And two years before?", before)


def test_a_capital_is_a_speaker_only_where_something_is_said(retriever):
    from qa.conversation import speaker_mentions
    from qa.delegations import delegation_mentions
    names = retriever.signals.speaker_names
    assert speaker_mentions("What did Lisbon say about the budget?", names)[0] == ["Portugal"]
    assert speaker_mentions("What did Norway say about the Treaty of Lisbon?", names)[0] == ["Norway"]
    assert "Portugal" not in delegation_mentions("the Treaty of Lisbon", retriever.signals.aliases)


def test_a_statement_being_answered_is_not_a_speaker():
    from qa.conversation import speaker_mentions
    assert speaker_mentions("What did Moscow argue in its right of reply to Canada's statement?") == \
        (["Russian Federation"], [])
    assert speaker_mentions("How did Moscow respond to the EU statement on Georgia?") == (["Russian Federation"], [])
    assert speaker_mentions("What did Canada's statement say about assemblies?") == (["Canada"], [])
    # "answer" and "rebut" take the statement as their object, without "to"
    assert speaker_mentions("How did Norway answer Malta's statement on fisheries?") == (["Norway"], [])
    assert speaker_mentions("Which report did the EU cite as it rebutted the Russian reply on fisheries?") == \
        (["European Union"], [])


def test_a_follow_up_about_an_answer_to_a_statement_keeps_the_one_who_answered(retriever):
    history = ["How did Moscow answer the EU statement on Kazakhstan's elections?"]
    result = retriever.search("Which covenant did it invoke?", k=5, history=history)
    assert result.understood.speakers == ["Russian Federation"]


def test_a_region_a_question_describes_its_speaker_by_favours_its_states(retriever):
    from qa.query import understand
    from qa.regions import described_region
    assert {"kazakhstan", "uzbekistan"} <= described_region("Which Central Asian state said its vote was fair?")
    sids = described_region("Which small island developing State warned of rising seas?")
    assert "tuvalu" in sids and "japan" not in sids and "japan" in described_region("Which island nation said …?")
    assert described_region("Which South African leader recalled Mandela?") == {"south africa"}
    # a direction before the region, and "island" within it: the region's islands
    assert described_region("Did an eastern Mediterranean island nation raise migrants?") == {"cyprus", "malta"}
    assert {"bahrain", "qatar"} <= described_region("Which Gulf monarchy warned of extremism?")
    # the region is the answer asked for, or what is spoken about: no speaker described
    assert not described_region("Which Asian governments did Norway thank?")
    assert not described_region("What did Russia say about Central Asian elections?")
    question = "Which Central Asian delegation described how its elections are observed?"
    query = understand(question, None, None, retriever.signals)
    assert "kazakhstan" in query.region and not query.speakers
    assert not understand("Which Central Asian state did Russia praise?", None, None, retriever.signals).region
    # a state the question names is what it asks about, not the region's state that spoke
    query = understand("Which Central Asian government praised the vote in Kazakhstan?", None, None, retriever.signals)
    assert "uzbekistan" in query.region and "kazakhstan" not in query.region
    plain = retriever.settings.with_(region_boost=0.0)
    boosted = _search_with(retriever, plain.with_(region_boost=1.0), question)
    assert [h.doc.delegation for h in boosted.hits[:3]] == ["Kazakhstan"] * 3
    assert boosted.hits[0].score > _search_with(retriever, plain, question).hits[0].score


def test_a_follow_up_is_refused_for_its_carried_speaker(retriever):
    # the US spoke of Kazakhstan in 2016 only; the Russian statement of 2021 is not an answer
    history = ["What did the United States tell the Council about Kazakhstan's 2016 elections?"]
    result = retriever.search("And about the 2021 vote?", k=5, history=history)
    assert result.abstained, [h.citation for h in result.hits]
    assert result.reason == "no statement by United States is from or mentions 2021"
    history = ["What did Russia tell the Council about Kazakhstan's 2021 vote?"]
    result = retriever.search("What about 2022?", k=5, history=history)
    assert not result.abstained, result.reason
    assert result.hits[0].doc.id == "PC.DEL/1799/22"


def test_a_follow_up_about_the_subject_keeps_the_topic_not_the_speaker(retriever):
    """After a question on what Russia said about an election, "When did that election take
    place?" may be answered by any statement; "What did it propose?" and "Why is that
    important?" still ask about Russia's."""
    from qa.conversation import asks_about_the_subject
    history = ["What did Russia say about Kazakhstan's parliamentary elections in 2021?"]
    result = retriever.search("When did that election take place?", k=3, history=history)
    assert result.understood.speakers == [] and "Russia" not in result.query and "Kazakhstan" in result.query
    assert result.hits[0].citation == "PC.DEL/80/21/Rev.1 ¶1"       # the EU's, which gives the date
    for question in ("What did it propose?", "Why is that important?", "And in 2022?", "What did they conclude?"):
        assert not asks_about_the_subject(question), question
        assert retriever.search(question, k=3, history=history).understood.speakers == ["Russian Federation"]
    assert asks_about_the_subject("Who observed the vote?") and asks_about_the_subject("How many parties ran?")
    # an election is called early; a speaker calls for something
    assert asks_about_the_subject("Why was that vote called early?")
    assert retriever.search("Why was that vote called early?", k=3, history=history).understood.speakers == []
    assert not asks_about_the_subject("What did they call for?")


def test_other_delegations_after_a_turn_about_one_sets_that_one_aside(retriever):
    history = ["What did Russia say about Kazakhstan's parliamentary elections in 2021?"]
    for question in ("What did the other delegations make of Kazakhstan's 2021 parliamentary elections?",
                     "What did others say about the organisation of the vote?"):
        result = retriever.search(question, k=3, history=history)
        assert result.understood.others_than == ["Russian Federation"]
        assert result.hits[0].doc.id == "PC.DEL/80/21/Rev.1", [h.citation for h in result.hits]   # the EU's
    # "anyone" may mean the earlier speaker too
    assert retriever.search("Did anyone praise the vote?", k=3, history=history).understood.others_than == []


def test_a_follow_up_naming_its_speaker_and_topic_is_not_refused_for_the_earlier_turn_s_names(retriever):
    """The earlier turn's names still help find passages; a refusal reads the question's own words
    and the time the conversation gives it."""
    history = ["What did Russia say about Volodin and the Mazhilis in January 2021?"]
    question = "And in 2016, what did the United States say about the recommendations of the observers?"
    result = retriever.search(question, k=3, history=history)
    assert "Mazhilis" in result.query                     # searched with the earlier turn's words
    assert not result.abstained, result.reason            # (was: "no statement mentions Mazhilis together with 2016")
    assert result.hits[0].citation == "us-pc-2016-04-07-kazakhstan-elections ¶4"
    # "And the Americans, on ...?" names its speaker and what it asks: the earlier turn's year was
    # Russia's, so the US is answered whenever it spoke of that; unless the question keeps the time
    history = ["What did Russia say about the Mazhilis in 2021?"]
    result = retriever.search("And the Americans, on the recommendations of the observers?", k=3, history=history)
    assert result.understood.speakers == ["United States"]
    assert not result.abstained and result.hits[0].doc.id == "us-pc-2016-04-07-kazakhstan-elections", result.reason
    result = retriever.search("And the Americans, on the observers' recommendations that same year?", k=3,
                              history=history)
    assert result.abstained and result.reason == "no statement by United States is from or mentions 2021"



def test_a_follow_up_turning_to_another_speaker_is_not_refused_for_the_earlier_turn_s_date(retriever):
    """The earlier turn's date was its speaker's: "Did the Russians ever ...?" after a question on
    what the US said in 2016 asks about the topic, whenever Russia spoke of it. "The same year"
    keeps the date, and Russia did not speak in 2016."""
    history = ["What did the United States say in April 2016 about the observers' findings on Kazakhstan?"]
    result = retriever.search("Did the Russians ever praise the observers' work like that?", k=3, history=history)
    assert "2016" in result.query                       # still searched with the earlier turn's words
    assert not result.abstained, result.reason          # (was: "no statement by Russian Federation ... 2016")
    assert result.hits[0].doc.delegation == "Russian Federation"
    result = retriever.search("Did the Russians praise the observers' work the same year?", k=3, history=history)
    assert result.abstained and result.reason == "no statement by Russian Federation is from or mentions 2016"
    # "those elections" are the earlier turn's, and so is their date
    history = ["What did the United States say in April 2016 about Kazakhstan's parliamentary elections?"]
    result = retriever.search("Did the Russians praise those parliamentary elections?", k=3, history=history)
    assert result.abstained and result.reason == "no statement by Russian Federation is from or mentions 2016"


def test_an_elliptical_turn_to_another_speaker_keeps_the_year_but_not_the_month(retriever):
    """The EU spoke in February 2021, Russia in January: "And the Russians, on the observers?"
    asks about Russia's statement on the subject, whatever its month. The carried year still
    holds the question to its time, and "the same month" keeps the month."""
    history = ["What did the EU say in February 2021 about Kazakhstan's parliamentary elections?"]
    result = retriever.search("And the Russians, on the observers?", k=3, history=history)
    assert "February" in result.query and "February" not in result.understood.judged
    assert not result.abstained, result.reason     # (was: "... is from or mentions February 2021")
    assert result.hits[0].doc.id == "PC.DEL/64/21"
    result = retriever.search("And the Russians, the same month?", k=3, history=history)
    assert result.abstained and "February 2021" in result.reason
    history = ["What did Russia say in December 2022 about Kazakhstan's presidential election?"]
    result = retriever.search("And the Americans, on the observers?", k=3, history=history)
    assert result.abstained and result.reason == "no statement by United States is from or mentions 2022"


def test_a_time_phrase_is_not_what_a_follow_up_asks_about(retriever):
    """"a month later" moves the date; "month" and "later" are no topic words the abstention rules
    may find the EU lacking (in a larger corpus, where "elections" is too common to count, they
    were all that was left: "no statement by European Union mentions month or later")."""
    history = ["What did Russia say about Kazakhstan's parliamentary elections in January 2021?"]
    result = retriever.search("Did the EU judge those elections the same way a month later?", k=3, history=history)
    judged = result.understood.judged
    assert "month" not in judged and "later" not in judged and "2021" in judged and "elections" in judged
    assert not result.abstained, result.reason
    assert result.hits[0].doc.id == "PC.DEL/80/21/Rev.1"


def test_a_few_months_earlier_than_a_january_turn_is_not_refused_for_its_year(retriever):
    """"A few months earlier" than a turn about January 2021 may be late 2020: the carried year
    still helps find passages, but the abstention rules do not hold the question to it."""
    history = ["In January 2021, how did the EU judge the Mazhilis vote in Kazakhstan?"]
    result = retriever.search("And a few months earlier, what did the EU say about reforms in Kazakhstan?", k=3,
                              history=history)
    assert "2021" in result.query and "2021" not in result.understood.judged
    # a year of its own is the question's
    result = retriever.search("And a few months earlier, in 2020, what did the EU say about Kazakhstan?", k=3,
                              history=history)
    assert "2020" in result.understood.judged
    from qa.conversation import may_change_year
    assert may_change_year("And a few months earlier?", "in January 2021")
    assert not may_change_year("And a month later?", "in January 2021")        # February 2021
    assert may_change_year("And the following month?", "in December 2021")
    assert may_change_year("And a few months later?", "in 2021")                # no month to count from


def test_a_people_names_its_government():
    from qa.conversation import speaker_mentions
    assert speaker_mentions("Did the Canadians reply?") == (["Canada"], [])
    assert speaker_mentions("What did the Poles say?") == (["Poland"], [])
    assert speaker_mentions("Were poles used to hold the banners?") == ([], [])


def test_self_contained_question_after_an_unrelated_one_is_answered(retriever):
    history = ["What did the US say about media freedom in 2016?"]
    result = retriever.search("Which observers did Russia say found that the 2021 vote was fair?", k=3,
                              history=history)
    assert "media" not in result.query and "2016" not in result.query
    alone = retriever.search("Which observers did Russia say found that the 2021 vote was fair?", k=3)
    assert not result.abstained, result.reason
    assert [h.citation for h in result.hits] == [h.citation for h in alone.hits]
    assert "PC.DEL/64/21 ¶3" in [h.citation for h in result.hits]
    result = retriever.search("Who is Tokayev?", k=3, history=["What did the EU say about media freedom in Turkey?"])
    assert "Turkey" not in result.query and not result.abstained, result.reason


def test_name_finding_is_linear_in_the_question():
    def seconds(copies):
        question = "What did Russia say about Kazakhstan and the ODIHR " * copies
        best = float("inf")
        for _ in range(2):
            t0 = time.perf_counter()
            named_entities(question)
            contextualize(question, [])
            best = min(best, time.perf_counter() - t0)
        return best
    # four times the text, about four times the time (it was quadratic: 1 MB took 10 s)
    assert seconds(8_000) < 8 * seconds(2_000) + 0.05


def test_an_over_long_question_is_refused_in_one_line(retriever):
    with pytest.raises(QuestionTooLong) as e:
        retriever.search("x" * (retriever.settings.max_question_chars + 1))
    assert "\n" not in str(e.value) and "characters long" in str(e.value)


# --- stance ------------------------------------------------------------------------

def test_the_stance_of_questions_and_sentences():
    assert asked_stance("What did the EU criticise about the 2021 parliamentary elections?") == CRITICISE
    assert asked_stance("What did Russia praise about the vote?") == PRAISE
    assert asked_stance("What did the US call on Kazakhstan to do?") == CALL
    assert asked_stance("Which observers went to Kazakhstan?") is None
    assert asked_stance("List the statements that criticise the conduct of the vote") == CRITICISE
    # a claim to check is not a question about a speaker's stance (SciFact's queries are claims)
    assert asked_stance("Vitamin D deficiency is unrelated to birth weight.") is None
    assert stances("The European Union welcomes the efficient organisation of the elections.") == {PRAISE}
    assert stances("The election was tarnished by limitations on fundamental freedoms.") == {CRITICISE}
    assert CALL in stances("We urge the authorities to address remaining challenges.")
    # a question may ask with any word the statements use for the stance
    assert asked_stance("What did the EU find troubling in the vote?") == CRITICISE
    # thanks are courtesy, not praise
    assert stances("Thank you, Mr. Chairperson.") == frozenset()
    # a sentence does what its first stance word does: a call to fix shortcomings is a call,
    # praise for a vote held despite restrictions is praise
    assert stances("The EU calls on the authorities to address the remaining shortcomings.") == {CALL}
    assert stances("We welcome the vote, held despite restrictions on assembly.") == {PRAISE}
    assert stances("We welcome the vote. We regret the arrests.") == {PRAISE, CRITICISE}


def test_stance_share_counts_the_sentences_of_the_asked_stance():
    from qa.stance import share
    mixed = "The EU welcomes the orderly vote. It commends the election staff. However, it regrets the arrests."
    assert share(mixed, CRITICISE) == pytest.approx(1 / 3) and share(mixed, PRAISE) == pytest.approx(2 / 3)
    assert share("We deplore the arrests. We condemn the raids.", CRITICISE) == 1.0
    assert share("Thank you, Mr. Chairperson.", CRITICISE) == 0.0


def test_among_the_best_candidates_a_passage_mostly_of_the_asked_stance_gains_more(retriever):
    from qa import fusion
    from qa.retrieval import Retriever
    from qa.stance import bit, share
    question = "What did the EU criticise about the 2021 parliamentary elections?"
    run = {w: Retriever(retriever.index, retriever.settings.with_(stance_share_boost=w), embedder=retriever.embedder)
           .search(question, k=fusion.SHARE_TOP) for w in (0.0, 0.5)}
    before = {h.chunk.id: h.score for h in run[0.0].hits}
    stance = retriever.signals.stance
    number = {c.id: n for n, c in enumerate(retriever.index.chunks)}
    gains = {}
    for h in run[0.5].hits[:10]:
        if h.chunk.id in before:
            gains[h.chunk.id] = h.score - before[h.chunk.id]
            taken = stance[number[h.chunk.id]] & bit(CRITICISE)
            assert gains[h.chunk.id] == pytest.approx(0.5 * share(h.chunk.text, CRITICISE) if taken else 0.0, abs=1e-5)
    assert len(set(round(g, 4) for g in gains.values())) >= 3     # not one flat bonus: it varies with the share
    plain = Retriever(retriever.index, retriever.settings.with_(stance_share_boost=0.5), embedder=retriever.embedder)
    no_stance = plain.search("What did the EU say about the 2021 parliamentary elections?", k=5)
    assert [h.score for h in no_stance.hits] == [h.score for h in Retriever(
        retriever.index, retriever.settings, embedder=retriever.embedder).search(
        "What did the EU say about the 2021 parliamentary elections?", k=5).hits]   # asks no stance: no change


def test_a_criticism_question_leads_with_criticism_not_praise(retriever):
    answer = ask(retriever, "What did the EU criticise about the 2021 parliamentary elections?", k=5)
    assert not answer.result.abstained
    assert CRITICISE in stances(answer.lead[0].text) and PRAISE not in stances(answer.lead[0].text)
    assert f"{EU} ¶3" in [h.citation for h in answer.hits[:3]]


# --- 2. candidates and 3. fusion ------------------------------------------------------

def test_bm25_scores_of_candidates_equal_bm25s_scores(retriever):
    from qa.retrieval import bm25_query_tokens, bm25_scores
    bm25 = retriever.index.bm25
    tokens = bm25_query_tokens(bm25, "observers found the Kazakh vote fair")
    ids = np.arange(len(retriever.index.chunks))
    assert np.allclose(bm25_scores(bm25, tokens, ids), bm25.get_scores(tokens))


def test_coverage_adds_the_share_of_the_question_terms_and_a_follow_up_counts_its_own(retriever):
    from qa.retrieval import Retriever, bm25_coverage, bm25_query_tokens
    index, bm25 = retriever.index, retriever.index.bm25
    number = {c.id: n for n, c in enumerate(index.chunks)}
    history = ["What did the observers recommend after Kazakhstan's 2011 presidential election?"]
    for question, hist in (("Which recommendations has Kazakhstan already implemented?", []),
                           ("Which of them had already been implemented?", history)):
        run = {cov: Retriever(index, retriever.settings.with_(coverage_boost=cov), embedder=retriever.embedder)
               .search(question, k=10, history=hist) for cov in (0.0, 0.5)}
        own, searched = run[0.5].understood.own, run[0.5].query
        asked = bm25_query_tokens(bm25, own if hist else searched)
        before = {h.chunk.id: h.score for h in run[0.0].hits}
        both = [h for h in run[0.5].hits if h.chunk.id in before]
        assert len(both) >= 5
        for h in both:
            share = bm25_coverage(bm25, asked, np.array([number[h.chunk.id]]))[0]
            assert h.score - before[h.chunk.id] == pytest.approx(0.5 * share, abs=1e-5)
        if hist:   # the carried words ("observers", "2011") would count otherwise
            assert searched != own
            carried = bm25_query_tokens(bm25, searched)
            assert any(bm25_coverage(bm25, carried, np.array([number[h.chunk.id]]))[0]
                       != bm25_coverage(bm25, asked, np.array([number[h.chunk.id]]))[0] for h in both)


def test_boosts_apply_under_rrf_as_under_convex(retriever):
    from qa import fusion
    assert fusion.rrf(np.array([1, 2]), {1: 0.9, 2: 0.1}, {1: 5.0}, k=60).max() == pytest.approx(1.0)
    question = "What did the United States say about the elections?"
    for how in ("convex", "rrf"):
        plain = retriever.settings.with_(fusion=how, meta_boost=0.0, topic_boost=0.0, answer_type_boost=0.0,
                                         stance_boost=0.0)
        boosted = plain.with_(meta_boost=1.0)
        r0 = _search_with(retriever, plain, question)
        r1 = _search_with(retriever, boosted, question)
        assert [h.doc.id for h in r1.hits[:3]] == [US] * 3, how
        assert r1.hits[0].score > r0.hits[0].score, how


def _search_with(retriever, settings, question):
    from qa.retrieval import Retriever
    return Retriever(retriever.index, settings, embedder=retriever.embedder).search(question, k=5)


def test_text_that_is_not_prose_ranks_below_prose(seed_index, seed_settings, tmp_path):
    from qa.index import update_index
    from qa.retrieval import Retriever
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for f in seed_settings.corpus_dir.glob("*.txt*"):
        (corpus / f.name).write_bytes(f.read_bytes())
    (corpus / "junk.txt").write_text(" ".join(["observers vote Kazakh fair found Russia"] * 30) + "\n",
                                     encoding="utf-8")
    settings = seed_settings.with_(corpus_dir=corpus, index_dir=tmp_path / "index")
    r = Retriever(update_index(settings)[0], settings)
    hits = r.search("Which observers did Russia say found the Kazakh vote fair?", k=5).hits
    assert hits[0].citation == "PC.DEL/64/21 ¶3" and "junk" not in hits[0].doc.id


# --- 6. abstention: no corpus-sized work per question ----------------------------------

class _NoScan(list):
    def __iter__(self):
        raise AssertionError("the query path walked the whole corpus")


def test_the_query_path_touches_candidates_not_the_corpus(retriever):
    index = retriever.index
    chunks, docs, texts = index.chunks, index.documents, index._doc_texts
    questions = ["What did the European Union say about Kazakhstan's 2022 snap presidential election?",
                 "What did the EU say about media freedom in Turkey?",
                 "What did the OSCE say about Kyrgyzstan's 2020 parliamentary elections?",
                 "Did Kazakhstan promise to act on the findings in 2016?",
                 "How many recommendations did the 2011 final report contain?"]
    expected = [retriever.search(q, k=5).abstained for q in questions]
    try:
        index.chunks, index.documents, index._doc_texts = _NoScan(chunks), _NoScan(docs), _NoScan(texts or [])
        assert [retriever.search(q, k=5).abstained for q in questions] == expected
        assert expected[:3] == [True, True, True] and expected[4] is False
    finally:
        index.chunks, index.documents, index._doc_texts = chunks, docs, texts


def test_qa_ask_shows_the_searched_query_when_it_differs(seed_index, seed_settings, capsys, monkeypatch):
    from qa.cli import main
    monkeypatch.setenv("QA_INDEX_DIR", str(seed_settings.index_dir))
    monkeypatch.setenv("QA_CORPUS_DIR", str(seed_settings.corpus_dir))
    assert main(["ask", "What did Moscow say about the observers?", "-k", "1"]) == 0
    assert capsys.readouterr().out.startswith("searched for: What did Moscow say about the observers? "
                                              "(Russian Federation)\n")
    assert main(["ask", "Which observers found the vote fair?", "-k", "1"]) == 0
    assert "searched for" not in capsys.readouterr().out


def test_two_named_delegations_alternate_starting_with_the_better_side():
    from types import SimpleNamespace

    from qa.fusion import interleave

    docs = [SimpleNamespace(delegation=d) for d in ("Canada", "Russian Federation", "Norway")]
    # passages 0-5 ranked best first: Russia's two best come first, then Canada's, then Norway's
    index = SimpleNamespace(documents=docs, chunk_doc=[1, 1, 0, 2, 0, 1])
    order = [0, 1, 2, 3, 4, 5]
    # named "Canada and Russia", but Russia's passage ranks higher: Russia speaks first
    assert interleave(order, ["Canada", "Russian Federation"], index) == [0, 2, 1, 4, 5, 3]
    assert interleave(order, ["Canada"], index) == order


def test_a_follow_up_s_own_words_pick_the_paragraph(retriever):
    """After a turn on Russia's statement of January 2021, "Which observers did they name?"
    finds that statement by the carried words; which paragraph answers is up to its own words
    (the one naming the CIS observers, not the congratulations that open and close it)."""
    from qa.retrieval import Retriever
    history = ["What did Russia say about the 2021 Mazhilis elections in Kazakhstan?"]
    result = retriever.search("Which observers did they name?", k=3, history=history)
    assert result.hits[0].citation == "PC.DEL/64/21 ¶3", [h.citation for h in result.hits]
    carried_only = Retriever(retriever.index, retriever.settings.with_(followup_own_weight=0.0),
                             embedder=retriever.embedder)
    hits = carried_only.search("Which observers did they name?", k=3, history=history).hits
    assert hits[0].citation != "PC.DEL/64/21 ¶3"   # what the setting changes


def test_speaker_names_that_query_handling_added_do_not_score_a_paragraph(retriever):
    """"Brussels" is searched with "(European Union)" appended, so that BM25 finds the EU's
    statements; but in the fused score those words would favour the one paragraph that prints
    "The European Union" (an opening) over the one that answers. The question's own words count."""
    from qa.pipeline import _scored_tokens
    from qa.query import understand
    from qa.retrieval import bm25_query_tokens

    model, sig = retriever.index.bm25, retriever.signals

    def scored(question):
        query = understand(question, [], None, sig)
        words = bm25_query_tokens(model, query.text)
        return set(words), set(_scored_tokens(model, words, query, sig))

    eu = set(bm25_query_tokens(model, "European Union"))
    searched, counted = scored("According to Brussels, what did Kazakhstan's 2021 vote lack?")
    assert eu <= searched and not eu & counted
    assert set(bm25_query_tokens(model, "Kazakhstan lack")) <= counted
    searched, counted = scored("According to the European Union, what did Kazakhstan's 2021 vote lack?")
    assert eu <= counted


def test_another_speaker_on_that_vote_is_not_held_to_the_earlier_statement_s_month(retriever):
    """"How did the Kremlin see that vote?" after a US statement of April: Russia may have
    spoken of it in another month (a reply is often later, a preview earlier); the year still
    narrows it. "The same month" does keep the month."""
    from qa.query import understand
    history = ["What was Washington's reading of the Kyrgyz constitutional vote of April 2021?"]
    query = understand("How did the Kremlin see that vote?", history, None, retriever.signals)
    assert query.speakers == ["Russian Federation"]
    assert "April" in query.text and "April" not in query.judged and "2021" in query.judged
    query = understand("What did the Kremlin say that same month?", history, None, retriever.signals)
    assert "April" in query.judged


def test_a_refusal_quotes_the_name_as_the_question_writes_it():
    from qa.abstention import _as_written
    assert _as_written("Did the Kremlin's envoy mention it? (Russian Federation)",
                       {"the kremlin", "kremlin", "russia", "russian federation"}) == "Kremlin"
    assert _as_written("What did the EU say about Turkey? (Türkiye)", {"türkiye", "turkey", "turkish"}) == "Turkey"
