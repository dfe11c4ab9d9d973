"""The collector is paused while the knowledge base and its index are built, and restored after."""

from __future__ import annotations

import gc

import pytest

from bot.heap import builds_in_bulk, collection_paused


def test_building_pauses_the_collector_and_restores_it_even_after_an_error() -> None:
    seen: list[bool] = []

    @builds_in_bulk
    def build(fail: bool) -> int:
        seen.append(gc.isenabled())
        if fail:
            raise ValueError("broken file")
        return 7

    assert gc.isenabled()
    assert build(False) == 7
    with pytest.raises(ValueError, match="broken file"):
        build(True)
    assert seen == [False, False]
    assert gc.isenabled()


def test_a_collector_paused_by_the_caller_stays_paused() -> None:
    gc.disable()
    try:
        with collection_paused(), collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
