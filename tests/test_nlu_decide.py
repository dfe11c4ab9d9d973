"""Decide: candidates ranked from intent scores and named entries; the first question asked leads."""

from __future__ import annotations

from nlu_helpers import reading, the_matcher, words

from bot.kb.models import ReplyKind
from bot.nlu.decide import Decide, only_examples
from bot.nlu.thresholds import ENTITY_SCORE, INTENT_WITH_ENTITY_BONUS, THRESHOLD
from bot.nlu.types import Hit, Match, Ref


def decide() -> Decide:
    return the_matcher().decide


def test_an_intent_with_the_entry_it_takes_gets_a_bonus() -> None:
    candidates = decide().rank(reading("where can i read the child e review"))
    best = candidates[0]
    assert best.intent == "where_to_read" and [h.ref for h in best.hits] == [Ref("review", "child-e")]
    assert best.score >= ENTITY_SCORE + INTENT_WITH_ENTITY_BONUS


def test_an_entry_named_alone_is_its_natural_intent() -> None:
    candidates = decide().rank(reading("child e"))
    assert (candidates[0].intent, candidates[0].asked, candidates[0].score) == ("review", False, ENTITY_SCORE)


def test_a_cue_word_touching_no_entry_does_not_answer() -> None:
    candidates = decide().rank(reading("latest football news"))
    assert not candidates or candidates[0].score < THRESHOLD


def test_a_question_touches_the_domain_when_it_names_or_uses_known_words() -> None:
    assert decide().anchored(words("review"), [])
    assert not decide().anchored(words("football transfer gossip"), [])
    assert decide().unknown(words("football transfer gossip")) == 3


def test_the_first_question_asked_leads() -> None:
    r = reading("link to child e, and what is an lcspr")
    lead = decide().first_mentioned(decide().rank(r))
    assert lead.intent == "where_to_read" and Ref("review", "child-e") in {h.ref for h in lead.hits}


def test_the_final_match_rounds_and_keeps_the_entries() -> None:
    r = reading("where can i read the child e review")
    candidates = decide().rank(r)
    match = decide().final(candidates[0], candidates, r.tokens)
    assert (match.kind, match.intent, match.refs) == (ReplyKind.ANSWER, "where_to_read", (Ref("review", "child-e"),))


def test_city_and_county_name_both_partnerships_in_a_contacts_question() -> None:
    r = reading("duty numbers for the city and the county")
    match = decide().finish(Match(ReplyKind.ANSWER, "contacts"), r)
    assert match.refs == (Ref("partnership", "lscpb"), Ref("partnership", "lrscp"))


def test_themes_named_as_examples_ask_for_the_list() -> None:
    match = decide().lists_examples(reading("which themes, eg neglect, DA"))
    assert match is not None and match.intent == "themes"
    neglect = [Hit(Ref("theme", "neglect"), frozenset({0}), corrected=False)]
    assert not only_examples(words("neglect themes"), neglect)
    beyond = [Hit(Ref("theme", "neglect"), frozenset({4}), corrected=False)]
    assert only_examples(words("anything on topics other than neglect"), beyond)
    assert only_examples(words("learning on subjects beyond neglect"), beyond)


def test_a_greeting_s_word_inside_a_question_is_no_greeting() -> None:
    late = decide().rank(reading("what were the findings of the review i need them for my report tomorrow morning"))
    assert all(c.kind != ReplyKind.CHAT for c in late)
    opening = decide().rank(reading("morning, any new reviews"))
    assert any(c.kind == ReplyKind.CHAT for c in opening)


def test_a_sector_asked_about_is_its_briefing_and_the_speaker_s_sector_is_not() -> None:
    matcher = the_matcher()
    speaker = matcher.match("night nurse here, where is the nspcc case review repository?")
    assert speaker.intent == "national_repository" and Ref("resource", "nspcc-repository") in speaker.refs
    assert matcher.match("nspcc learning for nurses").refs == (Ref("theme", "sector-health"),)
    assert matcher.match("nspcc learning on neglect").refs == (Ref("theme", "neglect"),)


def test_a_greeting_before_a_question_we_do_not_know_is_no_greeting() -> None:
    matcher = the_matcher()
    stranger = matcher.match("Hi. What was the outcome of the CQC inspection of the maternity unit at the Infirmary?")
    assert stranger.kind == ReplyKind.FALLBACK
    assert matcher.match("Hi there, just saying hello and having a little look around first").intent == "greeting"


def test_a_town_names_the_partnership_that_covers_it_not_the_one_guessed() -> None:
    match = the_matcher().match("our nursery is in melton mowbray, which partnership covers us, city or county?")
    assert (match.intent, match.refs) == ("about", (Ref("partnership", "lrscp"),))
    match = the_matcher().match("i work in oakham, which safeguarding partnership covers me, the leicester one?")
    assert (match.intent, match.refs) == ("about", (Ref("partnership", "lrscp"),))


def test_partnerships_compared_are_both_answered_wherever_the_writer_works() -> None:
    match = the_matcher().match("is the lscpb the same as the lrscp? i work in oakham")
    assert match.intent == "about"
    assert set(match.refs) == {Ref("partnership", "lscpb"), Ref("partnership", "lrscp")}
