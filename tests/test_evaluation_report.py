"""What `evaluate` counts as right and what its report counts, over the fixture knowledge. (The labelled sets
themselves are scored over the shipped knowledge in tests/content/test_evaluation.py.)"""

from __future__ import annotations

import datetime as dt

import pytest
from kb_builders import FIXTURE_KNOWLEDGE

from bot.kb.loader import load_knowledge
from bot.kb.models import ReplyKind
from bot.kb.visibility import LONDON
from bot.service.engine import Engine
from bot.tools.evaluation import Labelled, evaluate, is_right

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=LONDON)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_knowledge(FIXTURE_KNOWLEDGE), clock=lambda: NOW)


def test_is_right_requires_kind_intent_and_entries(engine: Engine) -> None:
    reply = engine.answer("tell me about child e")
    assert is_right(Labelled(q="x", kind=ReplyKind.ANSWER, intent="review", entries=["child-e"]), reply)
    assert not is_right(Labelled(q="x", kind=ReplyKind.ANSWER, intent="statement", entries=["child-e"]), reply)
    assert not is_right(Labelled(q="x", kind=ReplyKind.ANSWER, intent="review", entries=["patricia"]), reply)
    assert not is_right(Labelled(q="x", kind=ReplyKind.CLARIFY), reply)


def test_the_report_counts_urgent_misses_and_false_urgent_replies(engine: Engine) -> None:
    labels = [
        Labelled(q="a baby in my care has a bruise and I am worried she is in danger now", kind=ReplyKind.URGENT),
        Labelled(q="tell me about child e", kind=ReplyKind.URGENT),
        Labelled(q="a child is in danger right now", kind=ReplyKind.ANSWER, intent="review"),
        Labelled(q="what is an scr", kind=ReplyKind.ANSWER, intent="glossary"),
    ]
    report = evaluate(engine, labels, NOW)
    assert (report.urgent_missed, report.false_urgent) == (1, 1)
    assert "urgent missed: 1 of 2" in report.summary() and "false urgent: 1 of 2" in report.summary()
