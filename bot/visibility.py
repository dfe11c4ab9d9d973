"""The one place publication rules are applied: a knowledge base and a moment in, the public view out.

Everything downstream (matcher index, answers, inline results, announcements) is built from the view,
so an embargoed item cannot leak through any later step: it was never handed over.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.models import (
    EmbargoedDocument,
    KnowledgeBase,
    PublishedDocument,
    Review,
    Statement,
    WithdrawnDocument,
    WithheldDocument,
)

LONDON = ZoneInfo("Europe/London")


def as_london(moment: dt.datetime) -> dt.datetime:
    """An aware datetime in Europe/London; naive input is read as London wall-clock time."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=LONDON)
    return moment.astimezone(LONDON)


def released(publish_on: dt.datetime | None, now: dt.datetime) -> bool:
    """True once an embargo has lifted (at its exact moment, not a second later)."""
    return publish_on is None or as_london(now) >= as_london(publish_on)


def _public_review(review: Review, now: dt.datetime) -> Review | None:
    documents: list[PublishedDocument | WithheldDocument | WithdrawnDocument] = []
    for doc in review.documents:
        if isinstance(doc, EmbargoedDocument):
            if not released(doc.publish_on, now):
                continue
            documents.append(
                PublishedDocument(
                    id=doc.id,
                    type=doc.type,
                    title=doc.title,
                    status="published",
                    published_on=as_london(doc.publish_on).date(),
                    url=doc.url,
                    summary=doc.summary,
                    sources=doc.sources,
                    checked=doc.checked,
                )
            )
        else:
            documents.append(doc)  # withheld and withdrawn carry no URL or summary by schema
    if not documents:
        return None
    return review.model_copy(update={"documents": documents})


def public_view(kb: KnowledgeBase, now: dt.datetime) -> KnowledgeBase:
    """The knowledge base as the public may see it at `now`: embargoed items absent, released ones published."""
    reviews = tuple(r for r in (_public_review(review, now) for review in kb.reviews) if r is not None)
    visible_ids = {r.id for r in reviews}
    statements: tuple[Statement, ...] = tuple(
        s for s in kb.statements if s.review in visible_ids and released(s.publish_on, now)
    )
    return kb.model_copy(update={"reviews": reviews, "statements": statements})


def next_release(kb: KnowledgeBase, now: dt.datetime) -> dt.datetime | None:
    """The next moment after `now` at which the public view changes, for scheduling without restarts."""
    moments = [
        as_london(doc.publish_on)
        for review in kb.reviews
        for doc in review.documents
        if isinstance(doc, EmbargoedDocument)
    ] + [as_london(s.publish_on) for s in kb.statements if s.publish_on is not None]
    future = [m for m in moments if m > as_london(now)]
    return min(future) if future else None
