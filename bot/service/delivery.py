"""Each incoming update answered once, whichever replica receives it and however often it is delivered.

The gate sits between a transport's webhook route and the handlers. Before answering, it claims the
update id in the shared store (`Store.claim_update`); the claim is a lease, renewed while the answer is
being made (a flood wait can hold a reply for a minute), so only the claim of a replica that died
expires, and the next delivery takes it over. After the reply has left, the update is marked done.
What the route answers the sender (Telegram, or the reverse proxy in front of the replicas):

* answered now, or already answered by some replica: 200, nothing more to deliver;
* busy (another delivery holds an unexpired lease) or draining (this replica is stopping): 503, so the
  proxy tries another replica and Telegram delivers it again later.

A second reply is possible only when a replica dies after its reply left and before its done mark
committed: at most once per update it had in flight. Draining (SIGTERM) refuses new updates, lets
those in flight finish, then the caller closes the store.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import logging
from collections.abc import Awaitable, Callable

from bot.service.store import UPDATE_LEASE, Store, UpdateClaim

log = logging.getLogger(__name__)


class Delivery(enum.Enum):
    """What became of one delivery of an update."""

    ANSWERED = "answered"
    ALREADY_ANSWERED = "already answered"
    BUSY = "busy"
    DRAINING = "draining"

    @property
    def status(self) -> int:
        """The HTTP status for the sender: 200 when nothing is left to do, 503 to deliver it again later."""
        return 200 if self in (Delivery.ANSWERED, Delivery.ALREADY_ANSWERED) else 503


Process = Callable[[], Awaitable[None]]


class UpdateGate:
    """Claims each update before it is answered; counts the updates in flight so a stop can drain them."""

    def __init__(
        self, store: Callable[[], Store], lease: dt.timedelta = UPDATE_LEASE, renew_every: float | None = None
    ) -> None:
        self._store = store
        self.lease = lease
        self.renew_every = renew_every if renew_every is not None else lease.total_seconds() / 3
        self.renewals = 0  # leases renewed (tests wait on it)
        self.draining = False
        self.in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def deliver(self, update_id: int, process: Process) -> Delivery:
        """Answer the update with `process` unless some delivery already has or is doing it."""
        if self.draining:
            return Delivery.DRAINING
        self.in_flight += 1
        self._idle.clear()
        try:
            store = self._store()
            claim = await store.claim_update(update_id, self.lease)
            if claim is UpdateClaim.DONE:
                return Delivery.ALREADY_ANSWERED
            if claim is UpdateClaim.BUSY:
                return Delivery.BUSY
            keeper = asyncio.create_task(self._keep_leased(store, update_id))
            try:
                await process()
            finally:
                keeper.cancel()
            await store.finish_update(update_id)
            return Delivery.ANSWERED
        finally:
            self.in_flight -= 1
            if self.in_flight == 0:
                self._idle.set()

    async def _keep_leased(self, store: Store, update_id: int) -> None:
        """Renew the lease every `renew_every` seconds until cancelled (the answer is done or failed)."""
        while True:
            await asyncio.sleep(self.renew_every)
            try:
                await store.renew_update(update_id, self.lease)
            except Exception as error:  # the database is away: the lease may lapse; the answer goes on
                log.warning("could not renew an update's lease (%s)", type(error).__name__)
            else:
                self.renewals += 1

    async def drain(self, timeout: float) -> bool:
        """Refuse new updates and wait (at most `timeout` seconds) for those in flight; False if some remain."""
        self.draining = True
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            log.warning("stopped with %d update(s) still in flight; their leases will expire", self.in_flight)
            return False
        return True
