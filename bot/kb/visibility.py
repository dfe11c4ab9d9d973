"""The one place publication rules are applied: a knowledge base and a moment in, the public view out.

Everything downstream (matcher index, answers, inline results, announcements) is built from the view,
so an embargoed item cannot leak through any later step: it was never handed over.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal
from zoneinfo import ZoneInfo

from bot.heap import builds_in_bulk
from bot.kb.models import (
    EmbargoedDocument,
    KnowledgeBase,
    PublishedDocument,
    Review,
    Statement,
    WithdrawnDocument,
    WithheldDocument,
)

LONDON = ZoneInfo("Europe/London")

WallClock = Literal["normal", "gap", "ambiguous"]


def as_london(moment: dt.datetime) -> dt.datetime:
    """An aware datetime in Europe/London; naive input is read as London wall-clock time."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=LONDON)
    return moment.astimezone(LONDON)


def wall_clock(moment: dt.datetime) -> WallClock:
    """Whether a London wall-clock time exists once, never (spring gap) or twice (autumn overlap).
    Times with an explicit offset are always 'normal': they name one instant."""
    if moment.tzinfo is not None:
        return "normal"
    first = moment.replace(tzinfo=LONDON, fold=0)
    second = moment.replace(tzinfo=LONDON, fold=1)
    if first.utcoffset() == second.utcoffset():
        return "normal"
    round_trip = first.astimezone(dt.UTC).astimezone(LONDON).replace(tzinfo=None)
    return "ambiguous" if round_trip == moment else "gap"


def utc_instant(moment: dt.datetime) -> dt.datetime:
    """An instant in UTC; naive input is London wall-clock time. Compare instants, never London datetimes:
    two datetimes sharing a tzinfo compare by wall clock and ignore `fold`, wrong in the autumn overlap."""
    return as_london(moment).astimezone(dt.UTC)


def _gap_end(moment: dt.datetime) -> dt.datetime:
    """The instant London's clock jumps over the non-existent wall time `moment` (found by bisection:
    the offset changes once between reading it with the offset before and after the change)."""
    low = moment.replace(tzinfo=LONDON, fold=1).astimezone(dt.UTC)  # offset after: too early
    high = moment.replace(tzinfo=LONDON, fold=0).astimezone(dt.UTC)  # offset before: too late
    after = high.astimezone(LONDON).utcoffset()
    while high - low > dt.timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(LONDON).utcoffset() == after:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def release_instant(publish_on: dt.datetime) -> dt.datetime:
    """The UTC instant an embargo lifts. A London time that never happens (spring gap) lifts when the
    clocks jump; one that happens twice (autumn overlap) lifts at its first occurrence, never late."""
    if wall_clock(publish_on) == "gap":
        return _gap_end(publish_on)
    return utc_instant(publish_on)  # fold=0: the first occurrence of an ambiguous time


def released(publish_on: dt.datetime | None, now: dt.datetime) -> bool:
    """True once an embargo has lifted (at its exact moment, not a second later)."""
    return publish_on is None or utc_instant(now) >= release_instant(publish_on)


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
                    published_on=release_instant(doc.publish_on).astimezone(LONDON).date(),
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


@builds_in_bulk
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
        release_instant(doc.publish_on)
        for review in kb.reviews
        for doc in review.documents
        if isinstance(doc, EmbargoedDocument)
    ] + [release_instant(s.publish_on) for s in kb.statements if s.publish_on is not None]
    future = [m for m in moments if m > utc_instant(now)]
    return min(future) if future else None
