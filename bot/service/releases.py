"""When to wake up for embargo releases: the moments the public view changes, as jobs to schedule.

Telegram's job queue does not persist jobs, so the adapter rebuilds the schedule from the knowledge base
at every start and after every run and reload. `plan_jobs` makes that a diff against the jobs already
queued, named by instant, so two embargoes at the same instant share one job and nothing is queued twice.

All moments here are UTC instants, compared as instants. (Two datetimes with the *same* tzinfo compare
by wall clock in Python, ignoring `fold`, which is wrong inside the autumn overlap.)

Daylight saving, for a `publish_on` without an offset (Europe/London wall-clock time):

* a time that does not exist (the spring gap, e.g. 2026-03-29T01:30) is released when London's clock
  first shows that time or later, i.e. at the change itself: 01:00 UTC, shown as 02:00 BST;
* a time that happens twice (the autumn overlap, e.g. 2026-10-25T01:30) is released at its first
  occurrence (BST, 00:30 UTC): never an hour late.

Both agree with `visibility.released` at the moment of release. Editors should avoid such times;
`dst_warnings` names them so `check` can say so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from bot.kb.lint import LintWarning
from bot.kb.models import EmbargoedDocument, KnowledgeBase
from bot.kb.visibility import LONDON, release_instant, utc_instant, wall_clock

JOB_PREFIX = "release:"


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
    """Every distinct instant (UTC) after `now` at which something is released, earliest first."""
    start = utc_instant(now)
    instants = {release_instant(moment) for _, moment in _embargo_moments(kb)}
    return tuple(sorted(m for m in instants if m > start))


def job_name(moment: dt.datetime) -> str:
    """A job's name from its instant, so equal instants written in different zones get one job."""
    return JOB_PREFIX + utc_instant(moment).isoformat()


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


def dst_warnings(kb: KnowledgeBase) -> list[LintWarning]:
    """Embargo times that fall in a daylight-saving change, with the instant the bot will use."""
    warnings = []
    for where, moment in _embargo_moments(kb):
        status = wall_clock(moment)
        if status == "normal":
            continue
        used = release_instant(moment)
        why = (
            "does not exist in London (clocks go forward)"
            if status == "gap"
            else ("happens twice in London (clocks go back)")
        )
        warnings.append(
            LintWarning(
                f"{where}.publish_on",
                f"publish_on {moment.isoformat()} {why}; it will be released at "
                f"{used:%H:%M} UTC ({used.astimezone(LONDON):%H:%M %Z}). Give an explicit offset to be sure.",
            )
        )
    return warnings
