"""The update gate: each update answered once across deliveries and replicas (on both stores), and a drain
that refuses new updates while those in flight finish."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.service.delivery import Delivery, UpdateGate
from bot.service.store import Store
from tests.conftest import StoreOpener


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


async def test_an_update_is_answered_once_however_often_it_is_delivered(store: Store) -> None:
    answered: list[int] = []
    gate = UpdateGate(lambda: store)

    async def answer() -> None:
        answered.append(1)

    assert await gate.deliver(1, answer) is Delivery.ANSWERED
    assert await gate.deliver(1, answer) is Delivery.ALREADY_ANSWERED
    assert answered == [1]
    assert Delivery.ANSWERED.status == Delivery.ALREADY_ANSWERED.status == 200


async def test_replicas_receiving_one_update_together_answer_it_once(open_test_store: StoreOpener) -> None:
    stores = [await open_test_store() for _ in range(2)]
    gates = [UpdateGate(lambda s=s: s) for s in stores]  # type: ignore[misc]
    answered: list[int] = []
    release = asyncio.Event()

    async def slow_answer() -> None:
        answered.append(1)
        await release.wait()

    first = asyncio.create_task(gates[0].deliver(7, slow_answer))
    while not answered:
        await asyncio.sleep(0.01)
    outcomes = [await gates[i % 2].deliver(7, slow_answer) for i in range(4)]  # while the first is in flight
    release.set()
    assert await first is Delivery.ANSWERED
    assert outcomes == [Delivery.BUSY] * 4 and {o.status for o in outcomes} == {503}
    assert await gates[1].deliver(7, slow_answer) is Delivery.ALREADY_ANSWERED
    assert answered == [1]


async def test_an_update_whose_replica_died_is_answered_after_the_lease(open_test_store: StoreOpener) -> None:
    clock = Clock()
    store = await open_test_store(clock)
    dead = UpdateGate(lambda: store, dt.timedelta(seconds=5))

    async def crash() -> None:
        raise ConnectionResetError("the process died mid-answer")

    with pytest.raises(ConnectionResetError):
        await dead.deliver(3, crash)
    alive = UpdateGate(lambda: store, dt.timedelta(seconds=5))
    answered: list[int] = []

    async def answer() -> None:
        answered.append(1)

    assert await alive.deliver(3, answer) is Delivery.BUSY  # the lease still holds
    clock.now += dt.timedelta(seconds=6)
    assert await alive.deliver(3, answer) is Delivery.ANSWERED
    assert answered == [1]


async def test_a_slow_answer_keeps_its_lease_so_no_other_replica_takes_it(open_test_store: StoreOpener) -> None:
    clock = Clock()
    store = await open_test_store(clock)
    lease = dt.timedelta(seconds=10)
    slow, other = UpdateGate(lambda: store, lease, renew_every=0.01), UpdateGate(lambda: store, lease)
    started, release = asyncio.Event(), asyncio.Event()

    async def slow_answer() -> None:  # e.g. a reply held back by a flood wait
        started.set()
        await release.wait()

    async def renewed_after(count: int) -> None:
        while slow.renewals <= count:
            await asyncio.sleep(0.01)

    answering = asyncio.create_task(slow.deliver(9, slow_answer))
    await started.wait()
    for _ in range(3):  # 27 s of store time in all, more than the lease, but each step renews it
        clock.now += dt.timedelta(seconds=9)
        await renewed_after(slow.renewals)
        assert await other.deliver(9, slow_answer) is Delivery.BUSY
    release.set()
    assert await answering is Delivery.ANSWERED
    assert await other.deliver(9, slow_answer) is Delivery.ALREADY_ANSWERED


async def test_a_drain_refuses_new_updates_and_waits_for_those_in_flight(store: Store) -> None:
    gate = UpdateGate(lambda: store)
    release = asyncio.Event()
    started = asyncio.Event()
    done: list[int] = []

    async def answer() -> None:
        started.set()
        await release.wait()
        done.append(1)

    in_flight = asyncio.create_task(gate.deliver(1, answer))
    await started.wait()
    draining = asyncio.create_task(gate.drain(timeout=10.0))
    await asyncio.sleep(0)
    assert await gate.deliver(2, answer) is Delivery.DRAINING
    assert not draining.done() and gate.in_flight == 1
    release.set()
    assert await draining is True
    assert await in_flight is Delivery.ANSWERED and done == [1]


async def test_a_drain_gives_up_after_its_timeout(store: Store) -> None:
    gate = UpdateGate(lambda: store)
    never = asyncio.Event()
    started = asyncio.Event()

    async def stuck() -> None:
        started.set()
        await never.wait()

    task = asyncio.create_task(gate.deliver(1, stuck))
    await started.wait()
    assert await gate.drain(timeout=0.05) is False
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
