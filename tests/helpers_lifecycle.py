"""Shared helpers for the publication-lifecycle tests: a settable clock, a copy of the fixture knowledge with
embargoed test reviews, and a fake transport that records what would have been sent."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.answers.reply import Reply
from tests.kb_builders import copy_knowledge as copy_knowledge  # re-exported: a copy of the fixture knowledge

TEST_URL = "https://lcitylscb.org/learning-from-reviews"


class FakeClock:
    """An injectable clock: tests set or advance the time; the engine and store read it."""

    def __init__(self, start: dt.datetime) -> None:
        assert start.tzinfo is not None
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, moment: dt.datetime) -> None:
        assert moment.tzinfo is not None
        self.now = moment

    def advance(self, **delta: float) -> None:
        self.now = self.now + dt.timedelta(**delta)


def embargoed_doc(
    doc_id: str, publish_on: str, doc_type: str = "report", title: str | None = None
) -> dict[str, object]:
    return {
        "id": doc_id,
        "type": doc_type,
        "title": title or f"{doc_id} title",
        "status": "embargoed",
        "publish_on": publish_on,
        "url": f"{TEST_URL}/{doc_id}",
        "summary": f"Summary of {doc_id}.",
        "sources": [TEST_URL],
        "checked": "2026-11-25",
    }


def published_doc(doc_id: str, published_on: str, doc_type: str = "report") -> dict[str, object]:
    return {
        "id": doc_id,
        "type": doc_type,
        "title": f"{doc_id} title",
        "status": "published",
        "published_on": published_on,
        "url": f"{TEST_URL}/{doc_id}",
        "summary": f"Summary of {doc_id}.",
        "sources": [TEST_URL],
        "checked": "2026-11-25",
    }


def review(
    review_id: str,
    name: str,
    documents: Sequence[dict[str, object]],
    themes: Sequence[str] = (),
    partnership: str = "lscpb",
) -> dict[str, object]:
    return {
        "id": review_id,
        "name": name,
        "partnership": partnership,
        "review_type": "lcspr",
        "themes": list(themes),
        "summary": f"A test review called {name}.",
        "documents": list(documents),
        "sources": [TEST_URL],
        "checked": "2026-11-25",
    }


def write_reviews(
    directory: Path, reviews: Sequence[dict[str, object]], filename: str = "zz-test-reviews.yaml"
) -> Path:
    """Add (or replace) a knowledge file holding only these test reviews."""
    path = directory / filename
    path.write_text(yaml.safe_dump({"reviews": list(reviews)}, sort_keys=False), encoding="utf-8")
    return path


@dataclass
class FakeSender:
    """Records every (chat_id, reply) 'sent'; `failures` maps a chat to exceptions raised on its next sends."""

    sent: list[tuple[int, Reply]] = field(default_factory=list)
    failures: dict[int, list[BaseException]] = field(default_factory=dict)

    async def __call__(self, chat_id: int, reply: Reply) -> None:
        await asyncio.sleep(0)  # yield like a real network call, so concurrent runs really interleave
        queue = self.failures.get(chat_id)
        if queue:
            raise queue.pop(0)
        self.sent.append((chat_id, reply))

    def chats(self) -> list[int]:
        return sorted(chat for chat, _ in self.sent)

    def to(self, chat_id: int) -> list[Reply]:
        return [reply for chat, reply in self.sent if chat == chat_id]


@dataclass
class FakeSleep:
    """Records pauses instead of sleeping, so pacing is asserted without timing."""

    pauses: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.pauses.append(seconds)
