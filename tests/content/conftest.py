"""Tests about the shipped knowledge itself (bot/knowledge/): here it may be read (tests/shipped_guard.py's refusal
is lifted), and a command run without --knowledge reads it.

Every other test reads the frozen fixture (tests/fixtures/knowledge/), so that a content change can fail only
the tests in this folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kb_builders import SHIPPED_KNOWLEDGE

from tests.shipped_guard import GUARD


@pytest.fixture(autouse=True, scope="module")
def _shipped_knowledge_may_be_read() -> Iterator[None]:
    """Lifts tests/shipped_guard.py's refusal for this folder's modules (their module fixtures included)."""
    GUARD.lifted += 1
    yield
    GUARD.lifted -= 1


@pytest.fixture(autouse=True)
def _knowledge_dir_is_the_shipped_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KNOWLEDGE_DIR", str(SHIPPED_KNOWLEDGE))
