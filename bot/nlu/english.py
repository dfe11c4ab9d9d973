"""Everyday English words, so the typo corrector leaves real words alone.

The corrector only knows the knowledge base's own words; without this list it would "correct" a real word
that happens to sit one or two edits from one of them ('leaving' -> 'learning', 'order' -> 'older',
'discussed' -> 'disclosed', 'heard' -> 'head'), changing what a worried practitioner said. The list is
SCOWL's British English (see data/english_words.LICENSE), lower-case words of four letters or more.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

WORDS_FILE = Path(__file__).resolve().parent / "data" / "english_words.txt"


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The word list, read once per process."""
    return frozenset(WORDS_FILE.read_text(encoding="utf-8").split())
