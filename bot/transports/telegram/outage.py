"""An outage of the Bot API while polling, logged as two lines: one warning when it starts, one when it ends.

python-telegram-bot keeps polling through an outage with growing pauses; by default every failed poll is
a full traceback ("an update could not be handled", though no update was involved). Here the polling
loop's errors come to `failed`, and every poll the Bot API answers to `answered` (the getUpdates client's hook).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from telegram.error import TelegramError

log = logging.getLogger(__name__)


class Outage:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.since: float | None = None
        self.failures = 0

    def failed(self, error: TelegramError) -> None:
        """A poll failed (PTB's polling error callback: it must not raise, and is not a coroutine)."""
        self.failures += 1
        if self.since is None:
            self.since = self._clock()
            log.warning(
                "the Telegram Bot API cannot be reached (%s): polling again until it answers", type(error).__name__
            )

    def answered(self) -> None:
        """The Bot API answered a call: if it was out, say once that it is back."""
        if self.since is None:
            return
        seconds, failures = self._clock() - self.since, self.failures
        self.since, self.failures = None, 0
        log.warning("the Telegram Bot API answers again, after %.0f s and %d failed poll(s)", seconds, failures)
