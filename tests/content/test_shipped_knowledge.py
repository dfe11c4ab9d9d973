"""The shipped knowledge (bot/knowledge/) passes `check`, holds every section, lints clean, and is described by
the committed JSON Schema. These tests fail on a content problem, which is what they are for."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from kb_builders import SHIPPED_KNOWLEDGE

from bot.kb.lint import clashing_aliases, clashing_intent_phrases, stale_entries
from bot.kb.loader import json_schema, load_knowledge
from bot.kb.models import KnowledgeBase, WithheldDocument

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-11-25T12:00"


def bot(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False
    )


def test_the_shipped_knowledge_base_passes() -> None:
    result = bot("check", "--knowledge", str(SHIPPED_KNOWLEDGE), "--now", NOW)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("ok: ")


def test_shipped_knowledge_loads_with_every_section() -> None:
    kb = load_knowledge(SHIPPED_KNOWLEDGE)
    assert isinstance(kb, KnowledgeBase)
    for section in ("partnerships", "reviews", "statements", "resources", "themes", "contacts", "terms", "topics"):
        assert getattr(kb, section), f"no {section} in the shipped knowledge"
    assert kb.intents and kb.synonyms
    assert [p.id for p in kb.partnerships if p.home] == ["lscpb"]
    assert any(isinstance(d, WithheldDocument) for r in kb.reviews for d in r.documents)


def test_the_shipped_knowledge_has_no_clash_and_nothing_stale_today() -> None:
    kb = load_knowledge(SHIPPED_KNOWLEDGE)
    assert clashing_aliases(kb) == []
    assert clashing_intent_phrases(kb) == []
    assert stale_entries(kb, dt.date(2026, 11, 25)) == []


def test_the_committed_json_schema_is_the_exported_one() -> None:
    committed = (ROOT / "knowledge.schema.json").read_text(encoding="utf-8")
    assert json.loads(committed) == json.loads(json_schema())
    printed = bot("schema")
    assert json.loads(printed.stdout) == json.loads(committed)
