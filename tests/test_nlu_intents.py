"""Intent scores: rules score by their number of word groups, phrasings by closeness; each says why."""

from __future__ import annotations

from nlu_helpers import the_matcher, words

from bot.kb.models import Intent, KnowledgeBase, ReplyKind
from bot.nlu.intents import Intents, every_place, ngrams
from bot.nlu.normalise import Synonyms, normalise
from bot.nlu.thresholds import RULE_SCORE_MANY, RULE_SCORES, WEAK_RULE_SCORE


def own_intents() -> Intents:
    view = KnowledgeBase(
        intents=(
            Intent(id="latest_reviews", rules=["latest|newest + review", "~ what was"]),
            Intent(id="contacts", rules=["phone"], phrases=["who do i ring"]),
            Intent(id="three", rules=["alpha + beta + gamma"]),
            Intent(id="weather", kind=ReplyKind.FALLBACK, rules=["forecast"]),
        )
    )
    synonyms = Synonyms(())
    return Intents(view, lambda text: normalise(text, synonyms))


def test_a_rule_scores_by_its_number_of_groups() -> None:
    scores, positions = own_intents().scores(words("the newest review and the phone alpha beta gamma"))
    assert scores["latest_reviews"] == RULE_SCORES[2]
    assert scores["contacts"] == RULE_SCORES[1]
    assert scores["three"] == RULE_SCORE_MANY
    assert positions["latest_reviews"] == 1 and positions["contacts"] == 5


def test_a_weak_rule_scores_below_the_threshold() -> None:
    scores, _ = own_intents().scores(words("what was it"))
    assert scores == {"latest_reviews": WEAK_RULE_SCORE}


def test_a_group_missing_means_no_match() -> None:
    assert "latest_reviews" not in own_intents().scores(words("the newest football"))[0]


def test_a_phrasing_scores_by_closeness_and_says_so() -> None:
    why: dict[str, tuple[float, str]] = {}
    scores, _ = own_intents().scores(words("who do i ring"), why)
    assert scores["contacts"] == 100.0
    assert why["contacts"] == (100.0, "phrasing 'who do i ring'")


def test_why_names_the_words_that_matched_each_group() -> None:
    why: dict[str, tuple[float, str]] = {}
    own_intents().scores(words("any newest review"), why)
    assert why["latest_reviews"] == (RULE_SCORES[2], "'newest + review' (rule 'latest|newest + review')")


def test_a_refusal_s_words_stay_out_of_the_vocabulary() -> None:
    intents = own_intents()
    assert "forecast" not in intents.vocabulary and "phone" in intents.vocabulary
    assert intents.kind("weather") == ReplyKind.FALLBACK and intents.kind("unknown") == ReplyKind.ANSWER


def test_with_a_reach_a_rule_s_groups_must_meet_within_that_many_words() -> None:
    intents = own_intents()
    near = words("the newest review")
    apart = words("the newest of the lot and then a few more words on the review")
    assert intents.scores(near, reach=3)[0]["latest_reviews"] == RULE_SCORES[2]
    assert "latest_reviews" not in intents.scores(apart, reach=3)[0]
    assert intents.scores(apart)[0]["latest_reviews"] == RULE_SCORES[2]  # without a reach: a bag of words
    assert intents.scores(words("review x x x newest"), reach=5)[0]["latest_reviews"] == RULE_SCORES[2]  # any order


def test_every_place_of_a_run_is_remembered_for_the_reach() -> None:
    assert every_place(words("a b a"), 2) == {("a",): [0, 2], ("b",): [1], ("a", "b"): [0], ("b", "a"): [1]}


def test_ngrams_remember_where_each_run_first_occurs() -> None:
    assert ngrams(words("a b a"), 2) == {("a", "b"): 0, ("b", "a"): 1, ("a",): 0, ("b",): 1}


def test_the_shipped_rules_score_the_shipped_questions() -> None:
    scores, _ = the_matcher().intents.scores(words("what are the latest review"))
    assert scores["latest_reviews"] >= RULE_SCORES[2]
