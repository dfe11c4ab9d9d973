"""Embargoes across the clock changes: compared as instants, so nothing shows early or flickers."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.kb.visibility import next_release, release_instant, released

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("publish_on", "before", "from_"),
    [
        # autumn overlap, explicit UTC offset: exactly at 01:05 UTC, not at 00:05 UTC (the first 01:05 BST)
        ("2026-10-25T01:05+00:00", "2026-10-25T01:04:59", "2026-10-25T01:05:00"),
        # autumn overlap, London wall clock: its first occurrence, 00:30 UTC
        ("2026-10-25T01:30", "2026-10-25T00:29:59", "2026-10-25T00:30:00"),
        # spring gap: 01:30 never happens in London; released when the clocks jump, 01:00 UTC
        ("2026-03-29T01:30", "2026-03-29T00:59:59", "2026-03-29T01:00:00"),
        # an ordinary summer morning: 09:00 BST is 08:00 UTC
        ("2026-07-01T09:00", "2026-07-01T07:59:59", "2026-07-01T08:00:00"),
    ],
)
def test_release_is_one_instant_and_stays_released(publish_on: str, before: str, from_: str) -> None:
    moment = dt.datetime.fromisoformat(publish_on)
    assert not released(moment, at(before))
    assert released(moment, at(from_))
    assert release_instant(moment) == at(from_)
    # it never disappears again during the following two hours
    start = at(from_)
    assert all(released(moment, start + dt.timedelta(minutes=m)) for m in range(0, 121, 5))


def test_next_release_is_the_instant_across_the_overlap() -> None:
    from kb_builders import FIXTURE_KNOWLEDGE

    from bot.kb.loader import load_knowledge

    kb = load_knowledge(FIXTURE_KNOWLEDGE)
    assert next_release(kb, at("2026-10-25T00:10:00")) is None  # the fixture knowledge has no embargo
