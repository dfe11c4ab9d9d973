"""When to wake up for embargo releases: the moments the public view changes, as jobs to schedule.

Telegram's job queue does not persist jobs, so the adapter rebuilds the schedule from the knowledge base
at every start and after every run and reload. `plan_jobs` makes that a diff against the jobs already
queued, named by moment, so two embargoes at the same instant share one job and nothing is queued twice.

Daylight saving: a `publish_on` without an offset is Europe/London wall-clock time, read by
`visibility.as_london` (the one place publication rules live) with fold=0. So:

* a time that does not exist (the spring gap, e.g. 2026-03-29T01:30) keeps the offset in force before the
  change (GMT): it is released at 01:30 UTC, which London clocks show as 02:30 BST;
* a time that happens twice (the autumn overlap, e.g. 2026-10-25T01:30) is its first occurrence (BST):
  released at 00:30 UTC, never an hour late.

Editors should avoid both; `dst_warnings` names them so `check` can say so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from bot.models import EmbargoedDocument, KnowledgeBase
from bot.visibility import LONDON, as_london

JOB_PREFIX = "release:"

WallClock = Literal["normal", "gap", "ambiguous"]


def _embargo_moments(kb: KnowledgeBase) -> list[tuple[str, dt.datetime]]:
    """(where, publish_on) for every embargoed document and statement, as written."""
    found = [
        (f"reviews.{review.id}.documents.{doc.id}", doc.publish_on)
        for review in kb.reviews
        for doc in review.documents
        if isinstance(doc, EmbargoedDocument)
    ]
    found += [(f"statements.{s.id}", s.publish_on) for s in kb.statements if s.publish_on is not None]
    return found


def release_moments(kb: KnowledgeBase, now: dt.datetime) -> tuple[dt.datetime, ...]:
    """Every distinct moment after `now` at which something is released, earliest first (London time).
    Agrees with `visibility.next_release`: its first element is that moment."""
    start = as_london(now)
    moments = {as_london(moment) for _, moment in _embargo_moments(kb)}
    return tuple(sorted(m for m in moments if m > start))


def job_name(moment: dt.datetime) -> str:
    """A job's name from its instant (UTC), so equal instants written differently get one job."""
    return JOB_PREFIX + as_london(moment).astimezone(dt.UTC).isoformat()


def is_release_job(name: str | None) -> bool:
    return bool(name) and str(name).startswith(JOB_PREFIX)


@dataclass(frozen=True)
class JobPlan:
    """What to change in the job queue: moments to add (as `run_once(when=moment, name=job_name(moment))`)
    and release jobs, by name, to cancel because the knowledge base no longer has that moment."""

    add: tuple[dt.datetime, ...]
    cancel: tuple[str, ...]


def plan_jobs(kb: KnowledgeBase, now: dt.datetime, scheduled: Iterable[str | None]) -> JobPlan:
    """The diff between the release jobs queued (`scheduled`: job names; others are ignored) and those
    the knowledge base needs after `now`."""
    wanted = {job_name(m): m for m in release_moments(kb, now)}
    queued = {name for name in scheduled if name is not None and is_release_job(name)}
    add = tuple(sorted(m for name, m in wanted.items() if name not in queued))
    cancel = tuple(sorted(name for name in queued if name not in wanted))
    return JobPlan(add, cancel)


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


def dst_warnings(kb: KnowledgeBase) -> list[str]:
    """Embargo times that fall in a daylight-saving change, with the instant the bot will use."""
    warnings = []
    for where, moment in _embargo_moments(kb):
        status = wall_clock(moment)
        if status == "normal":
            continue
        used = as_london(moment)
        why = "does not exist in London (clocks go forward)" if status == "gap" else (
            "happens twice in London (clocks go back)"
        )
        warnings.append(
            f"{where}: publish_on {moment.isoformat()} {why}; it will be released at "
            f"{used.astimezone(dt.UTC):%H:%M} UTC ({used:%H:%M %Z}). Give an explicit offset to be sure."
        )
    return warnings
