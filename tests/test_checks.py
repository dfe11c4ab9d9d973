"""`check`'s lint: legal but suspicious knowledge. (That the shipped knowledge lints clean and the committed
schema is the exported one is tests/content/'s.)"""

from __future__ import annotations

import datetime as dt

from kb_builders import FIXTURE_KNOWLEDGE

from bot.kb.lint import clashing_aliases, clashing_intent_phrases, lint, stale_entries
from bot.kb.loader import load_knowledge
from bot.kb.models import Intent, KnowledgeBase, Theme

KB = load_knowledge(FIXTURE_KNOWLEDGE)


def test_entries_go_stale_after_twelve_months() -> None:
    stale = stale_entries(KB, dt.date(2027, 12, 1))
    assert stale and all("more than 12 months" in str(w) for w in stale)
    assert stale_entries(KB, dt.date(2027, 12, 1), months=24) == []


def test_two_themes_sharing_a_name_and_one_phrase_in_two_intents_are_flagged() -> None:
    theme = KB.themes[0]
    twin = Theme.model_validate({**theme.model_dump(), "id": "twin", "aliases": [theme.name.upper()]})
    intent = Intent(id="twin_intent", phrases=[KB.intents[-1].phrases[0] + "!"])
    clashed = KnowledgeBase.model_validate(
        {**KB.model_dump(), "themes": [*KB.themes, twin], "intents": [*KB.intents, intent]}
    )
    assert any("twin" in str(w) for w in clashing_aliases(clashed))
    assert any("twin_intent" in str(w) for w in clashing_intent_phrases(clashed))
    assert len(lint(clashed, dt.date(2026, 11, 25))) >= 2
