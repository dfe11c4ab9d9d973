"""Release scheduling: the moments to wake up at, job diffs, and daylight-saving changes in London."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers_lifecycle import FakeClock, FakeSender, FakeSleep, copy_knowledge, embargoed_doc, review, write_reviews
from kb_builders import FIXTURE_KNOWLEDGE

from bot.kb.loader import load_knowledge
from bot.kb.models import KnowledgeBase
from bot.kb.visibility import LONDON, next_release
from bot.service.announcements import Announcer
from bot.service.engine import Engine
from bot.service.releases import (
    JobPlan,
    dst_warnings,
    is_release_job,
    job_name,
    plan_jobs,
    release_instant,
    release_moments,
    wall_clock,
)
from bot.service.store import SqliteStore

SECOND = dt.timedelta(seconds=1)


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def _kb(tmp_path: Path, *moments: str) -> KnowledgeBase:
    """The real knowledge plus one embargoed review per moment (Child A, Child B, ...)."""
    directory = copy_knowledge(tmp_path)
    reviews = [
        review(f"child-{letter}", f"Child {letter.upper()}", [embargoed_doc(f"child-{letter}-report", moment)])
        for letter, moment in zip("abcdfghjk", moments, strict=False)
    ]
    write_reviews(directory, reviews)
    return load_knowledge(directory)


def test_no_embargoes_no_moments() -> None:
    kb = load_knowledge(FIXTURE_KNOWLEDGE)
    assert release_moments(kb, _utc("2026-11-25T12:00:00")) == ()
    assert plan_jobs(kb, _utc("2026-11-25T12:00:00"), ["release:old", "daily-digest", None]) == JobPlan(
        add=(), cancel=("release:old",)
    )


def test_moments_are_future_distinct_instants_in_order(tmp_path: Path) -> None:
    kb = _kb(
        tmp_path,
        "2026-12-01T09:00:00",  # London = UTC in winter
        "2026-12-01T09:00:00+00:00",  # the same instant written with an offset: one job
        "2026-07-01T10:00:00",  # summer: 09:00 UTC
        "2026-01-01T09:00:00",  # already past
    )
    now = _utc("2026-06-01T00:00:00")
    assert release_moments(kb, now) == (_utc("2026-07-01T09:00:00"), _utc("2026-12-01T09:00:00"))
    assert release_moments(kb, _utc("2026-12-01T09:00:00")) == ()  # strictly after now
    first = next_release(kb, now)
    assert first is not None and release_moments(kb, now)[0] == first  # agrees with the engine


def test_job_names_identify_instants_whatever_the_zone() -> None:
    london = dt.datetime(2026, 7, 1, 10, 0, tzinfo=LONDON)
    assert job_name(london) == job_name(_utc("2026-07-01T09:00:00")) == "release:2026-07-01T09:00:00+00:00"
    assert job_name(dt.datetime(2026, 7, 1, 10, 0)) == job_name(london)  # naive = London wall clock
    assert is_release_job(job_name(london)) and not is_release_job("daily") and not is_release_job(None)


def test_plan_adds_missing_jobs_and_cancels_obsolete_ones(tmp_path: Path) -> None:
    kb = _kb(tmp_path, "2026-12-01T09:00:00", "2026-12-02T09:00:00")
    now = _utc("2026-11-30T00:00:00")
    queued = [job_name(_utc("2026-12-01T09:00:00")), job_name(_utc("2026-12-05T09:00:00")), "unrelated"]
    plan = plan_jobs(kb, now, queued)
    assert plan.add == (_utc("2026-12-02T09:00:00"),)
    assert plan.cancel == (job_name(_utc("2026-12-05T09:00:00")),)
    # Once applied, planning again changes nothing: safe to call after every run and reload.
    applied = [job_name(m) for m in release_moments(kb, now)]
    assert plan_jobs(kb, now, applied) == JobPlan((), ())


def test_statement_embargoes_are_release_moments_too() -> None:
    kb = load_knowledge(FIXTURE_KNOWLEDGE)
    statement = kb.statements[0].model_copy(update={"publish_on": dt.datetime(2026, 12, 3, 9, 0)})
    kb = kb.model_copy(update={"statements": (statement, *kb.statements[1:])})
    assert release_moments(kb, _utc("2026-12-01T00:00:00")) == (_utc("2026-12-03T09:00:00"),)


@pytest.mark.parametrize(
    ("moment", "kind"),
    [
        (dt.datetime(2026, 3, 29, 1, 30), "gap"),
        (dt.datetime(2026, 3, 29, 1, 0), "gap"),
        (dt.datetime(2026, 3, 29, 2, 0), "normal"),
        (dt.datetime(2026, 3, 29, 0, 59), "normal"),
        (dt.datetime(2026, 10, 25, 1, 30), "ambiguous"),
        (dt.datetime(2026, 10, 25, 2, 0), "normal"),
        (dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC), "normal"),
        (dt.datetime(2026, 12, 1, 9, 0), "normal"),
    ],
)
def test_wall_clock_classification(moment: dt.datetime, kind: str) -> None:
    assert wall_clock(moment) == kind


@pytest.mark.parametrize(
    ("written", "instant"),
    [
        ("2026-03-29T01:30:00", "2026-03-29T01:00:00"),  # does not exist: released when clocks jump to 02:00 BST
        ("2026-03-29T01:59:59", "2026-03-29T01:00:00"),
        ("2026-03-29T02:00:00", "2026-03-29T01:00:00"),  # the first real BST time: the same instant
        ("2026-10-25T01:30:00", "2026-10-25T00:30:00"),  # happens twice: the first time (BST), never late
        ("2026-10-25T02:00:00", "2026-10-25T02:00:00"),  # GMT again
        ("2026-07-01T09:00:00", "2026-07-01T08:00:00"),
        ("2026-12-01T09:00:00", "2026-12-01T09:00:00"),
    ],
)
def test_release_instants_across_daylight_saving(written: str, instant: str) -> None:
    assert release_instant(dt.datetime.fromisoformat(written)) == _utc(instant)


@pytest.mark.parametrize(
    ("written", "instant"),
    [
        ("2026-03-29T01:30:00", "2026-03-29T01:00:00"),
        ("2026-10-25T01:30:00", "2026-10-25T00:30:00"),
    ],
)
def test_the_schedule_and_the_public_view_agree_at_a_dst_change(tmp_path: Path, written: str, instant: str) -> None:
    """Invisible one second before the scheduled instant, visible at it: the job finds it released."""
    kb = _kb(tmp_path, written)
    moment = _utc(instant)
    assert release_moments(kb, moment - dt.timedelta(hours=3)) == (moment,)
    clock = FakeClock(moment - SECOND)
    engine = Engine(kb, clock)
    assert "child-a" not in engine.answer("Child A").entries
    clock.set(moment)
    assert engine.answer("Child A").entries == ("child-a",)


async def test_the_release_job_at_a_dst_gap_announces(tmp_path: Path) -> None:
    kb = _kb(tmp_path, "2026-03-29T01:30:00")
    moment = release_moments(kb, _utc("2026-03-28T12:00:00"))[0]
    clock = FakeClock(moment - dt.timedelta(hours=1))
    engine = Engine(kb, clock)
    store = SqliteStore(tmp_path / "bot.sqlite3", clock=clock)
    sender = FakeSender()
    announcer = Announcer(store, sender, sleep=FakeSleep())
    await announcer.run(engine.view())
    await store.subscribe(1, None)
    clock.set(moment)  # the job fires at the planned instant
    report = await announcer.run(engine.view())
    await store.close()
    assert report.sent == 1 and sender.to(1)[0].entries == ("child-a",)
    assert release_moments(kb, moment) == ()  # nothing left to schedule


def test_dst_warnings_name_the_entry_and_the_instant_used(tmp_path: Path) -> None:
    kb = _kb(tmp_path, "2026-03-29T01:30:00", "2026-10-25T01:30:00", "2026-12-01T09:00:00")
    warnings = [str(w) for w in dst_warnings(kb)]
    assert len(warnings) == 2
    gap, overlap = warnings
    assert "reviews.child-a.documents.child-a-report" in gap and "does not exist" in gap
    assert "01:00 UTC (02:00 BST)" in gap
    assert "reviews.child-b.documents.child-b-report" in overlap and "happens twice" in overlap
    assert "00:30 UTC (01:30 BST)" in overlap
