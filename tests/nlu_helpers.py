"""The matcher the component tests read, built once (each test module tests one component directly).

`KNOWLEDGE` is the one place these tests take their knowledge base from."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from kb_builders import FIXTURE_KNOWLEDGE

from bot.kb.loader import load_knowledge
from bot.nlu.matcher import Matcher
from bot.nlu.normalise import words as normalise_words_of
from bot.nlu.types import Hit, Reading
from bot.service.engine import Engine

NOW = dt.datetime(2026, 11, 25, 12, tzinfo=ZoneInfo("Europe/London"))
KNOWLEDGE = FIXTURE_KNOWLEDGE


@lru_cache(maxsize=1)
def the_matcher() -> Matcher:
    """The matcher over the test knowledge's public view now."""
    return Engine(load_knowledge(KNOWLEDGE), lambda: NOW).snapshot().matcher


def words(text: str) -> tuple[str, ...]:
    """Already-normalised tokens, written as a sentence."""
    return tuple(text.split())


def reading(text: str) -> Reading:
    """A question read by the components up to scope (what the pipeline has filled in when scope runs)."""
    matcher = the_matcher()
    r = Reading(text, trace=[])
    r.bare = normalise_words_of(text)
    r.raw = matcher.spelling.join_spelled(matcher.norm(text))
    r.tokens, r.corrected = matcher.spelling.correct(r.raw)
    r.named = matcher.entities.hits(r.tokens, r.corrected)
    r.scores, r.positions = matcher.intents.scores(r.tokens)
    r.scores.pop("urgent", None)
    r.hits, r.alternatives, _ = matcher.entities.resolve_same_names(r.named)
    r.plural = matcher.spelling.plural_documents(r.bare)
    return r


def named(text: str) -> tuple[tuple[str, ...], list[Hit]]:
    """Tokens of a question (normalised, corrected) and the entries it names."""
    matcher = the_matcher()
    tokens, corrected = matcher.tokens(text)
    return tokens, matcher.entities.hits(tokens, corrected)
