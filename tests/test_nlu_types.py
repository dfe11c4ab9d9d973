"""The typed values of the pipeline: periods, and a Reading that notes decisions only when traced."""

from __future__ import annotations

import datetime as dt

from bot.nlu.types import Period, Reading


def test_a_period_holds_the_days_of_its_month_and_year() -> None:
    july = Period(2024, 7)
    assert july.holds(dt.date(2024, 7, 31)) and not july.holds(dt.date(2023, 7, 31)) and not july.holds(None)
    assert Period(None, 7).holds(dt.date(2019, 7, 1))
    assert (july.label(), Period(2023, None).label(), Period(None, 3).label()) == ("July 2024", "2023", "March")


def test_a_reading_notes_only_when_traced() -> None:
    quiet = Reading("q")
    quiet.note("safety", "not urgent")
    assert quiet.trace is None
    traced = Reading("q", trace=[])
    traced.note("safety", "not urgent")
    assert traced.trace == [("safety", "not urgent")]
