"""Reload the knowledge base while serving: all or nothing, so a broken edit never takes the bot down.

On any problem the engine keeps its last good knowledge base and the admin gets every error with file
and line; on success the engine serves the new one from the next question on. Used by /reload and by
SIGHUP. Reloads are serialised: two at once (a signal during a command) cannot interleave.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from bot.answers.reply import Reply, para
from bot.kb.models import ReplyKind
from bot.kb.problems import KnowledgeInvalid, Problem
from bot.service.announcements import ItemKey, new_items
from bot.service.engine import Engine
from bot.service.knowledge import read_servable

log = logging.getLogger(__name__)

_RELOAD_LOCK = threading.Lock()
MAX_PROBLEMS_SHOWN = 20


@dataclass(frozen=True)
class ReloadOutcome:
    """Either problems (nothing changed) or the items the new knowledge base made visible now."""

    problems: tuple[Problem, ...] = ()
    new_items: frozenset[ItemKey] = frozenset()
    reviews: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def reload(engine: Engine, directory: Path) -> ReloadOutcome:
    """Load `directory`; on success swap it into `engine`, else keep the current knowledge base.
    Blocking (reads files): call it from a worker thread in an event loop (asyncio.to_thread)."""
    with _RELOAD_LOCK:
        try:
            kb = read_servable(directory).kb
        except KnowledgeInvalid as exc:
            log.warning("reload failed with %d problem(s); still serving the previous knowledge", len(exc.problems))
            return ReloadOutcome(problems=tuple(exc.problems))
        except OSError as exc:  # unreadable file or directory: same promise, keep serving
            log.warning("reload failed: %s; still serving the previous knowledge", type(exc).__name__)
            where = str(exc.filename or directory)
            return ReloadOutcome(problems=(Problem(where, 1, "(file)", exc.strerror or str(exc)),))
        now = engine.now()
        before = engine.view(now)
        engine.replace(kb)
        after = engine.view(now)
        log.info("knowledge reloaded: %d reviews", len(kb.reviews))
        return ReloadOutcome(new_items=new_items(before, after), reviews=len(kb.reviews))


def reload_reply(outcome: ReloadOutcome) -> Reply:
    """What /reload answers the admin: the errors (file:line: key: message), or what changed."""
    if outcome.ok:
        fresh = f" {len(outcome.new_items)} newly visible item(s) will be announced." if outcome.new_items else ""
        return Reply(ReplyKind.CHAT, (para(f"Reloaded: {outcome.reviews} reviews.{fresh}"),), intent="admin")
    shown = [f"• {p}" for p in outcome.problems[:MAX_PROBLEMS_SHOWN]]
    more = len(outcome.problems) - len(shown)
    if more > 0:
        shown.append(f"… and {more} more (run `check` for all of them).")
    heading = f"Not reloaded: {len(outcome.problems)} problem(s). Still serving the previous knowledge base."
    return Reply(ReplyKind.CHAT, (para(heading, *shown),), intent="admin")


def install_sighup(loop: asyncio.AbstractEventLoop, on_hangup: Callable[[], Awaitable[object]]) -> bool:
    """Run `on_hangup` as a task on SIGHUP (the Unix way to say 'reload'); False where there is no
    SIGHUP (Windows) or the loop cannot take signal handlers (not the main thread)."""
    hangup = getattr(signal, "SIGHUP", None)
    if hangup is None:
        return False
    tasks: set[asyncio.Task[object]] = set()

    def handler() -> None:
        task: asyncio.Task[object] = loop.create_task(_wrap(on_hangup))
        tasks.add(task)  # keep a reference until it finishes, or it may be garbage-collected
        task.add_done_callback(tasks.discard)

    try:
        loop.add_signal_handler(hangup, handler)
    except (NotImplementedError, RuntimeError, ValueError):
        return False
    return True


def remove_sighup(loop: asyncio.AbstractEventLoop) -> bool:
    """Undo `install_sighup` (at shutdown, so a later SIGHUP does not reach a stopped bot); False if
    there was nothing to remove."""
    hangup = getattr(signal, "SIGHUP", None)
    if hangup is None:
        return False
    try:
        return loop.remove_signal_handler(hangup)
    except (NotImplementedError, RuntimeError, ValueError):
        return False


async def _wrap(on_hangup: Callable[[], Awaitable[object]]) -> object:
    try:
        return await on_hangup()
    except Exception:
        log.exception("reload on SIGHUP failed")
        return None
