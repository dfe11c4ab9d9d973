"""`check`'s lint: legal but suspicious knowledge, and the exported schema kept in sync."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from bot.kb.lint import clashing_aliases, clashing_intent_phrases, lint, stale_entries
from bot.kb.loader import DEFAULT_KNOWLEDGE_DIR, json_schema, load_knowledge
from bot.kb.models import Intent, KnowledgeBase, Theme

ROOT = Path(__file__).parent.parent
KB = load_knowledge(DEFAULT_KNOWLEDGE_DIR)


def test_the_shipped_knowledge_has_no_clash_and_nothing_stale_today() -> None:
    assert clashing_aliases(KB) == []
    assert clashing_intent_phrases(KB) == []
    assert stale_entries(KB, dt.date(2026, 11, 25)) == []


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


def test_the_committed_json_schema_is_the_exported_one() -> None:
    committed = (ROOT / "knowledge.schema.json").read_text(encoding="utf-8")
    assert json.loads(committed) == json.loads(json_schema())
    printed = subprocess.run([sys.executable, "-m", "bot", "schema"], capture_output=True, text=True, cwd=ROOT)
    assert json.loads(printed.stdout) == json.loads(committed)
