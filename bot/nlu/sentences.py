"""Where a message's sentences are, and which one asks: shared by the matcher and scope."""

from __future__ import annotations

import re
from bisect import bisect_right

SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


def sentences(text: str) -> list[str]:
    return SENTENCE_END.split(text.strip())


def asked_span(text: str, starts: tuple[int, ...], length: int) -> tuple[int, int] | None:
    """The tokens of the sentence a message asks in: its last '?' sentence, else its last sentence; None when
    `starts` (where each sentence starts among the `length` tokens) is empty."""
    if not starts:
        return None
    asking = [i for i, sentence in enumerate(sentences(text)) if sentence.rstrip().endswith("?")]
    i = asking[-1] if asking else len(starts) - 1
    return starts[i], starts[i + 1] if i + 1 < len(starts) else length


def sentence_of(starts: tuple[int, ...], position: int) -> int:
    """Which sentence (its index in `starts`, where each begins among the tokens) holds the token at
    `position`; 0 for a message not cut into sentences."""
    return max(0, bisect_right(starts, position) - 1)


def sentence_start(starts: tuple[int, ...], position: int) -> int:
    """Where the sentence holding the token at `position` begins (0 for a message not cut into sentences)."""
    return starts[sentence_of(starts, position)] if starts else 0
