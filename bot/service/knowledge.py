"""The one way a knowledge base goes live: read, validated, and checked against what the bot can answer.

`check`, `run`, `ask`, `chat` and every reload call this, so an edit the bot cannot serve safely (no 999,
an intent without a composer, …) is refused in the same words everywhere.
"""

from __future__ import annotations

from pathlib import Path

from bot.answers.composers import answerable_intents
from bot.kb.loader import LoadedKnowledge, read_knowledge


def read_servable(directory: Path) -> LoadedKnowledge:
    """The knowledge base under `directory`, with its locator; raises `KnowledgeInvalid` listing every problem."""
    return read_knowledge(directory, answerable=answerable_intents())
