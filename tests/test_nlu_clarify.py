"""Clarify: a review meant but not named gets 'Did you mean …?'; one that fits is answered."""

from __future__ import annotations

from nlu_helpers import reading, the_matcher, words

from bot.kb.models import ReplyKind
from bot.nlu.clarify import Clarify
from bot.nlu.thresholds import HALF_NAMED_CONFIDENCE
from bot.nlu.types import Match, Ref


def clarify() -> Clarify:
    return the_matcher().clarify


def settle(text: str) -> Match:
    r = reading(text)
    candidates = the_matcher().decide.rank(r)
    best = the_matcher().decide.first_mentioned(candidates)
    return clarify().settle(best, candidates, r)


def test_one_document_meant_but_not_named_asks_which() -> None:
    match = settle("when was the briefing published")
    assert match.kind == ReplyKind.CLARIFY and len(match.choices) == 3


def test_what_the_chair_said_asks_which_review() -> None:
    match = settle("what did the chair say")
    assert match.kind == ReplyKind.CLARIFY
    assert match.choices == (Ref("review", "child-c-d"), Ref("review", "patricia"), Ref("review", "baby-scr"))


def test_one_review_that_fits_is_answered_not_asked_about() -> None:
    match = settle("what did the chair say about the baby")
    assert (match.kind, match.intent, match.refs) == (ReplyKind.ANSWER, "statement", (Ref("review", "baby-scr"),))


def test_a_month_s_publications_are_listed_for_that_period() -> None:
    match = settle("what came out in july 2024")
    assert match.intent == "latest_reviews" and match.period is not None and match.period.label() == "July 2024"


def test_a_year_before_the_first_local_publication_is_the_archive_s() -> None:
    assert settle("a city review from 2016").intent == "archive"


def test_nothing_confident_offers_the_half_named_reviews() -> None:
    match = clarify().partial(reading("the july one"))
    assert match.kind == ReplyKind.CLARIFY and match.confidence == HALF_NAMED_CONFIDENCE


def test_nothing_confident_and_nothing_half_named_falls_back() -> None:
    r = reading("latest football news")
    assert clarify().partial(r).kind == ReplyKind.FALLBACK
    assert r.trace == [("clarify", "nothing confident: the fallback")]


def test_asking_for_one_document() -> None:
    assert clarify().asks_for_one(words("send me the briefing"))
    assert clarify().asks_for_one(words("where can i read it"))
    assert not clarify().asks_for_one(words("where can i read it"), pronoun=False)
    assert not clarify().asks_for_one(words("any briefing"))


def test_namesakes_of_other_partnerships_are_a_choice() -> None:
    choices = tuple(Ref("review", f"r{i}") for i in range(5))
    match = clarify().namesakes(choices)
    assert match.kind == ReplyKind.CLARIFY and match.choices == choices[:3]


def test_a_statement_quoted_is_answered_about_its_review_not_asked_about() -> None:
    match = the_matcher().match("chair statement: all the recommendations have already been acted upon. which review?")
    assert (match.kind, match.intent, match.refs) == (ReplyKind.ANSWER, "statement", (Ref("review", "baby-scr"),))


def test_the_partnership_unnamed_of_two_asks_which() -> None:
    match = settle("when did the partnership start")
    assert match.kind == ReplyKind.CLARIFY
    assert set(match.choices) == {Ref("partnership", "lscpb"), Ref("partnership", "lrscp")}
    for named in ("when did the city partnership start", "when did the lrscp start", "about the partnership"):
        assert settle(named).kind == ReplyKind.ANSWER, named


def test_a_review_named_with_a_month_asks_when_it_came_out() -> None:
    """'Did Child E come out in July or August 2024?' is about Child E, not a choice between July's reviews;
    'anything since Child E in July 2024?' still lists what came after."""
    match = settle("did child e come out in july or august 2024")
    assert (match.kind, match.intent, match.refs) == (ReplyKind.ANSWER, "review", (Ref("review", "child-e"),))
    assert settle("anything published since child e in july 2024").intent == "latest_reviews"
