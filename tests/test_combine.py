"""Rules and learned scores combined: the model breaks ties between answers, never touches safety or scope."""

from __future__ import annotations

import pytest
from nlu_helpers import the_matcher

from bot.kb.models import ReplyKind
from bot.nlu.combine import AMBIGUITY_MARGIN, SWAP_CONFIDENCE, combine, may_change, understand
from bot.nlu.learned import Scores
from bot.nlu.matcher import Match, Ref

KINDS = {
    "urgent": ReplyKind.URGENT,
    "greeting": ReplyKind.CHAT,
    "not_for_me": ReplyKind.FALLBACK,
    "review": ReplyKind.ANSWER,
    "where_to_read": ReplyKind.ANSWER,
    "statement": ReplyKind.ANSWER,
    "theme": ReplyKind.ANSWER,
    "latest_reviews": ReplyKind.ANSWER,
    "how_reviews_work": ReplyKind.ANSWER,
    "glossary": ReplyKind.ANSWER,
    "contacts": ReplyKind.ANSWER,
    "about": ReplyKind.ANSWER,
}
CHILD_E = Ref("review", "child-e")
NEGLECT = Ref("theme", "neglect")


def sure(label: str, p: float = 0.97, rest: str = "fallback") -> Scores:
    """The model sure of `label`; every other intent of KINDS known to it at probability 0."""
    others = tuple((intent, 0.0) for intent in KINDS if intent not in {label, rest})
    return Scores(((label, p), (rest, 1.0 - p), *others))


def answer(intent: str, *refs: Ref) -> Match:
    return Match(ReplyKind.ANSWER, intent, refs, confidence=85.0)


def test_a_sure_model_swaps_between_intents_about_the_same_review() -> None:
    combined = combine(answer("where_to_read", CHILD_E), sure("review"), KINDS)
    assert combined.intent == "review"
    assert combined.refs == (CHILD_E,) and combined.kind == ReplyKind.ANSWER and combined.confidence == 85.0


def test_a_swap_to_an_entry_free_intent_needs_no_entry() -> None:
    assert combine(answer("where_to_read", CHILD_E), sure("latest_reviews"), KINDS).intent == "latest_reviews"
    assert combine(answer("glossary", Ref("term", "scr")), sure("how_reviews_work"), KINDS).intent == (
        "how_reviews_work"
    )


def test_an_entry_intent_needs_its_kind_of_entry_found_by_the_rules() -> None:
    assert combine(answer("latest_reviews"), sure("review"), KINDS).intent == "latest_reviews"  # which review?
    assert combine(answer("review", CHILD_E), sure("theme"), KINDS).intent == "review"  # which theme?
    assert combine(answer("review", CHILD_E, NEGLECT), sure("theme"), KINDS).intent == "theme"


def test_an_intent_the_model_never_saw_is_left_to_the_rules() -> None:
    """An intent added to the knowledge base after training has no class in the model: never swapped away."""
    kinds = KINDS | {"chair": ReplyKind.ANSWER}
    assert combine(answer("chair"), sure("latest_reviews"), kinds).intent == "chair"


def test_the_swap_drops_the_rules_second_answer() -> None:
    match = Match(ReplyKind.ANSWER, "where_to_read", (CHILD_E,), 85.0, also=(("theme", (NEGLECT,)),))
    assert combine(match, sure("review"), KINDS).also == ()


def test_below_the_confidence_threshold_the_rules_stand() -> None:
    just_below = SWAP_CONFIDENCE - 0.01
    scores = Scores((("review", just_below), ("fallback", 1.0 - just_below), ("where_to_read", 0.0)))
    assert scores.knows("where_to_read")
    assert combine(answer("where_to_read", CHILD_E), scores, KINDS).intent == "where_to_read"


def test_at_the_confidence_threshold_the_model_swaps() -> None:
    scores = Scores((("review", SWAP_CONFIDENCE), ("where_to_read", 1.0 - SWAP_CONFIDENCE)))
    assert scores.margin >= AMBIGUITY_MARGIN
    assert combine(answer("where_to_read", CHILD_E), scores, KINDS).intent == "review"


def test_an_ambiguous_model_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.nlu.combine as module

    monkeypatch.setattr(module, "SWAP_CONFIDENCE", 0.4)  # confident enough, but two classes close together
    scores = Scores((("review", 0.45), ("statement", 0.44), ("where_to_read", 0.0)))
    assert combine(answer("where_to_read", CHILD_E), scores, KINDS).intent == "where_to_read"


@pytest.mark.parametrize(
    "match",
    [
        Match(ReplyKind.URGENT, "urgent", confidence=85.0),
        Match(ReplyKind.FALLBACK, None),
        Match(ReplyKind.FALLBACK, None, unknown_review=True),
        Match(ReplyKind.FALLBACK, "not_for_me", confidence=70.0),
        Match(ReplyKind.CLARIFY, None, confidence=60.0, choices=(CHILD_E,)),
        Match(ReplyKind.CHAT, "greeting", confidence=100.0),
    ],
    ids=["urgent", "refusal", "someone-elses-case", "not-for-me", "did-you-mean", "chat"],
)
@pytest.mark.parametrize("label", ["review", "latest_reviews", "fallback", "urgent", "greeting"])
def test_safety_scope_questions_back_and_chat_are_the_rules_alone(match: Match, label: str) -> None:
    assert not may_change(match)
    assert combine(match, sure(label, 0.999), KINDS) is match


@pytest.mark.parametrize("label", ["urgent", "fallback", "clarify", "greeting", "not_for_me", "unknown_intent"])
def test_the_model_never_turns_an_answer_into_urgent_fallback_question_or_chat(label: str) -> None:
    match = answer("review", CHILD_E)
    assert combine(match, sure(label, 0.999, rest="review"), KINDS) is match


class SureOf:
    """A model sure of one intent whatever it is asked (`understand` asks it only where it may change)."""

    def __init__(self, label: str, p: float = 0.97) -> None:
        self.kinds = KINDS
        self._scores = sure(label, p)

    def scores(self, text: str) -> Scores:
        return self._scores


def test_a_swap_to_how_reviews_work_says_which_explainer_as_the_rules_would() -> None:
    question = "why was patricia only a briefing and not a full report"
    rules = the_matcher().match(question)
    assert rules.intent != "how_reviews_work"
    swapped = understand(the_matcher(), SureOf("how_reviews_work"), question)  # type: ignore[arg-type]
    assert swapped.intent == "how_reviews_work" and swapped.refs[0] == Ref("topic", "why-briefing-only")


def test_a_swap_to_an_intent_about_other_kinds_takes_the_entries_of_its_kind_the_question_names() -> None:
    question = "whats the LRSCP, is that the county one?"
    assert the_matcher().match(question).intent == "glossary"
    swapped = understand(the_matcher(), SureOf("about"), question)  # type: ignore[arg-type]
    assert swapped.intent == "about" and swapped.refs == (Ref("partnership", "lrscp"),)


def test_a_model_sure_of_a_child_at_risk_adds_the_urgent_reply_the_rules_did_not_give() -> None:
    question = "a 13 year old just texted me goodbye and thanks for everything"
    assert the_matcher().match(question).kind != ReplyKind.URGENT
    raised = understand(the_matcher(), SureOf("urgent"), question)  # type: ignore[arg-type]
    assert raised.kind == ReplyKind.URGENT and raised.intent == "urgent"
    assert understand(the_matcher(), SureOf("urgent", 0.85), question).kind != ReplyKind.URGENT  # type: ignore[arg-type]


def test_the_model_never_adds_the_urgent_reply_to_a_refusal_or_to_a_message_said_not_urgent() -> None:
    for question in ("what is the real name of the child in the child e review", "not urgent, who do i ring"):
        match = understand(the_matcher(), SureOf("urgent"), question)  # type: ignore[arg-type]
        assert match.kind != ReplyKind.URGENT, question
