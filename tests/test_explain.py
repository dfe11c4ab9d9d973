"""`explain`: the steps behind an answer, from the same pipeline that answers (so it can never disagree)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from nlu_helpers import KNOWLEDGE, NOW

from bot.kb.loader import load_knowledge
from bot.service.engine import Engine
from bot.tools.explain import explain, render

ROOT = Path(__file__).resolve().parent.parent
ENGINE = Engine(load_knowledge(KNOWLEDGE), lambda: NOW)


def test_every_step_is_shown_and_the_choice_is_the_answer_s() -> None:
    question = "wher can i read the latest reveiws on neglect"
    e = explain(ENGINE, question)
    assert e.corrections == ((6, "reveiw", "review"),)
    assert [(x.kind, x.id, x.positions, x.words) for x in e.entities] == [("theme", "neglect", (8,), "neglect")]
    intent, score, source = e.intents[0]
    assert (intent, score) == ("latest_reviews", 85.0) and source.startswith("'latest + review' (rule '")
    assert ("safety", "not urgent (0): no urgent rule matched") in e.steps
    assert ("scope", "in scope") in e.steps
    reply = ENGINE.answer(question)
    assert (e.reply_kind, e.reply_intent, e.entries) == (reply.kind.value, reply.intent, reply.entries)
    assert e.candidates[0][0] == e.match.intent == "theme"


def test_an_urgent_message_says_why_it_is_urgent() -> None:
    e = explain(ENGINE, "my grandson (7) says his mum's boyfriend locks him in the bathroom")
    assert e.reply_kind == "urgent"
    assert any(step == "safety" and "tells of one child" in what for step, what in e.steps)


def test_the_rendering_names_each_step() -> None:
    text = render(explain(ENGINE, "Nottingham City CSPR 2023"))
    for label in ("question:", "normalised:", "spelling:", "entities:", "intents:", "safety:", "scope:", "reply:"):
        assert label in text
    assert "names another area" in text and "term cspr: 'cspr' at word 2" in text


def test_the_command_prints_the_explanation() -> None:
    question = "what did the chair say"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "explain", "--knowledge", str(KNOWLEDGE), "--now", NOW.isoformat(), question],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    assert "clarify:    what was said, in which review?" in result.stdout
    assert "statement 100: phrasing 'what did the chair say'" in result.stdout


def test_an_empty_question_is_the_help_menu() -> None:
    e = explain(ENGINE, "?!")
    assert e.reply_intent == "help" and e.steps == (("normalise", "no words: the help menu"),)


def test_a_long_message_says_its_last_question_decided() -> None:
    context = (
        "I'm a DSL and at our last meeting we went through the Child E briefing and the latest reviews list, "
        "and the whole team found it useful for our training calendar this term, which starts next week. "
        "Our deputy head then asked me something I could not answer at all. "
    )
    e = explain(ENGINE, context + "What does LSCB stand for?")
    assert ("long message", "the last question asked decided: 'What does LSCB stand for?'") in e.steps
    assert e.match.intent == "glossary" == e.reply_intent
