"""Where a message's sentences are, and which one asks: shared by the matcher and scope."""

from __future__ import annotations

import re
from bisect import bisect_right

SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


def sentences(text: str) -> list[str]:
    return SENTENCE_END.split(text.strip())


def last_asking(told: list[str]) -> int | None:
    """Which of a message's sentences is the last that asks ('?'), if any: with none, the last sentence is
    read as the one that asks."""
    return max((i for i, sentence in enumerate(told) if sentence.rstrip().endswith("?")), default=None)


def asked_span(text: str, starts: tuple[int, ...], length: int) -> tuple[int, int] | None:
    """The tokens of the sentence a message asks in: its last '?' sentence, else its last sentence; None when
    `starts` (where each sentence starts among the `length` tokens) is empty."""
    if not starts:
        return None
    i = last_asking(sentences(text))
    if i is None:
        i = len(starts) - 1
    return starts[i], starts[i + 1] if i + 1 < len(starts) else length


def sentence_of(starts: tuple[int, ...], position: int) -> int:
    """Which sentence (its index in `starts`, where each begins among the tokens) holds the token at
    `position`; 0 for a message not cut into sentences."""
    return max(0, bisect_right(starts, position) - 1)


def sentence_start(starts: tuple[int, ...], position: int) -> int:
    """Where the sentence holding the token at `position` begins (0 for a message not cut into sentences)."""
    return starts[sentence_of(starts, position)] if starts else 0
