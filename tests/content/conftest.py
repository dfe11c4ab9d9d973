"""Tests about the shipped knowledge itself (bot/knowledge/): a command run here without --knowledge reads it.

Every other test reads the frozen fixture (tests/fixtures/knowledge/), so that a content change can fail only
the tests in this folder."""

from __future__ import annotations

import pytest
from kb_builders import SHIPPED_KNOWLEDGE


@pytest.fixture(autouse=True)
def _knowledge_dir_is_the_shipped_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KNOWLEDGE_DIR", str(SHIPPED_KNOWLEDGE))
