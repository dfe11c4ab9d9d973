"""Redaction of unanswered questions, and the bounded in-memory log admins read with /unanswered."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from kb_builders import FIXTURE_KNOWLEDGE

from bot.answers.render import plain_text
from bot.answers.reply import Reply, para
from bot.kb.loader import load_knowledge
from bot.kb.models import ReplyKind
from bot.service.engine import Engine
from bot.service.redact import Redactor, UnansweredLog, unanswered_reply

AT = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
ENGINE = Engine(load_knowledge(FIXTURE_KNOWLEDGE))
REDACTOR = Redactor.for_matcher(ENGINE.snapshot().matcher)


def _fallback() -> Reply:
    return Reply(ReplyKind.FALLBACK, (para("Sorry"),))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("email jo.bloggs+work@nhs.net please", "email [email] please"),
        ("call 07700 900123 today", "call [phone] today"),
        ("call +44 7700 900123", "call [phone]"),
        ("ring +44 (0)116 454 1004", "ring [phone]"),
        ("ring (0116) 454 1004 now", "ring [phone] now"),
        ("ring 0116-454-1004", "ring [phone]"),
        ("born 12/03/2015 at LE1 6ZG", "born [number]/[number]/[number] at [number] [number]"),
        ("see https://example.org/jo-smith and www.example.org/x", "see [link] and [link]"),
        ("ask @jo_smith", "ask [handle]"),
        ("is Jayden Smith-Jones on it", "is [name] [name] on it"),
        ("what about Zoë O'Brien", "what about [name] [name]"),
    ],
)
def test_identifying_details_are_replaced(text: str, expected: str) -> None:
    assert REDACTOR.redact(text) == expected


def test_knowledge_words_and_single_letters_are_kept() -> None:
    text = "Where is the Leicester Neglect report for Child E or Patricia? What does Child F say?"
    assert REDACTOR.redact(text) == text


def test_a_capitalised_word_the_knowledge_does_not_know_is_treated_as_a_name() -> None:
    assert REDACTOR.redact("Snooker in Leicester") == "[name] in Leicester"


def test_the_vocabulary_comes_from_the_public_view() -> None:
    vocabulary = ENGINE.snapshot().matcher.vocabulary
    assert {"patricia", "leicester", "neglect"} <= set(vocabulary)


@given(st.text(max_size=200))
def test_no_digit_survives_any_text(text: str) -> None:
    assert not any(ch.isdecimal() for ch in REDACTOR.redact(text))


@given(st.emails())
def test_no_email_address_survives(address: str) -> None:
    assert "@" not in REDACTOR.redact(f"please write to {address} today")


@given(st.from_regex(r"[A-Z][a-z]{3,12}", fullmatch=True))
def test_unknown_capitalised_names_never_survive(name: str) -> None:
    redacted = REDACTOR.redact(f"is {name} safe")
    assert name not in redacted or REDACTOR._known(name)


def test_only_fallbacks_are_kept_and_only_redacted() -> None:
    log = UnansweredLog()
    answer = ENGINE.answer("latest reviews")
    assert answer.kind != ReplyKind.FALLBACK
    assert log.record("latest reviews", answer, REDACTOR, AT) is False
    assert log.record("Does Jayden Smith live at 4 Elm Road, 07700 900123?", _fallback(), REDACTOR, AT) is True
    (entry,) = log.latest()
    assert entry.text == "Does [name] [name] live at [number] [name] [name], [phone]?"
    assert "Jayden" not in repr(log.latest()) and "07700" not in repr(log.latest())


def test_the_log_is_bounded_and_newest_first() -> None:
    log = UnansweredLog(keep=3)
    for n in range(5):
        log.record(f"question {'x' * n}", _fallback(), REDACTOR, AT + dt.timedelta(minutes=n))
    assert len(log) == 3
    assert [e.text for e in log.latest()] == ["question xxxx", "question xxx", "question xx"]
    assert [e.text for e in log.latest(1)] == ["question xxxx"]


def test_long_questions_are_cut() -> None:
    log = UnansweredLog(max_chars=20)
    log.record("word " * 100, _fallback(), REDACTOR, AT)
    assert len(log.latest()[0].text) <= 20


def test_a_question_that_redacts_to_nothing_is_not_kept() -> None:
    log = UnansweredLog()
    assert log.record("   ", _fallback(), REDACTOR, AT) is False
    assert len(log) == 0


def test_the_admin_reply_lists_redacted_questions() -> None:
    log = UnansweredLog()
    assert "No unanswered questions" in plain_text(unanswered_reply(log))
    log.record("Is Jayden on a review?", _fallback(), REDACTOR, AT)
    body = plain_text(unanswered_reply(log))
    assert "Is [name] on a review?" in body and "Jayden" not in body
    assert "01 Dec 09:30" in body
