"""The shipped learned intent model (bot/nlu/data/intent_model.json.gz) over the shipped knowledge: it loads,
knows every answer intent, and the engine asks it at the decision point."""

from __future__ import annotations

import datetime as dt

from kb_builders import SHIPPED_KNOWLEDGE

from bot.kb.loader import load_knowledge
from bot.kb.models import ReplyKind
from bot.kb.visibility import LONDON
from bot.nlu.learned import MODEL_PATH, IntentScorer, Scores, shipped_model
from bot.service.engine import Engine

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=LONDON)


def test_the_shipped_model_loads_and_knows_the_shipped_intents() -> None:
    assert MODEL_PATH.exists()
    model = shipped_model()
    assert model is not None
    kb = load_knowledge(SHIPPED_KNOWLEDGE)
    assert {intent.id for intent in kb.intents if intent.kind == ReplyKind.ANSWER} <= set(model.classes)
    scorer = IntentScorer.for_view(model, kb)
    assert scorer.scores("where can I read the Child E report").best[0] == "where_to_read"
    assert isinstance(scorer.scores(""), Scores)


def test_the_engine_asks_the_shipped_model_at_the_decision_point() -> None:
    """'what's new on the learning from reviews page': the rules read 'where to read' (the page); the model,
    sure it asks for the latest reviews, swaps the intent. Without the model the rules' answer stands."""
    kb = load_knowledge(SHIPPED_KNOWLEDGE)
    question = "whats new on the learning from reviews page"
    assert Engine(kb, lambda: NOW, learned=False).answer(question).intent == "where_to_read"
    assert Engine(kb, lambda: NOW).answer(question).intent == "latest_reviews"
    assert Engine(kb, lambda: NOW).answer("my pupil says her dad hit her with a belt").kind == ReplyKind.URGENT
