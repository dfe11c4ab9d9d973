"""The answering engine: text in, Reply out, always from the public view at the moment of asking.

The view, its matcher index and composer are rebuilt lazily whenever the clock crosses an embargo
moment, so a release needs no restart and costs nothing between releases.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from bot.answers.composers import Composer
from bot.answers.reply import Reply, para
from bot.kb.models import KnowledgeBase, ReplyKind
from bot.kb.visibility import as_london, next_release, public_view, utc_instant
from bot.nlu import combine
from bot.nlu.learned import IntentScorer, shipped_model, shipped_theme_model, shipped_topic_model
from bot.nlu.matcher import ACTION_KIND, NEEDS_ENTRY, Match, Matcher, Ref

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class _Snapshot:
    valid_from: dt.datetime
    valid_until: dt.datetime | None
    view: KnowledgeBase
    matcher: Matcher
    composer: Composer
    learned: IntentScorer | None = None

    def understand(self, question: str) -> Match:
        """The rules' match, changed by the learned scores only where bot/nlu/combine.py allows."""
        return combine.understand(self.matcher, self.learned, question)


class Engine:
    """Answers questions over a knowledge base; thread-safe; swap the knowledge base with `replace`."""

    def __init__(self, kb: KnowledgeBase, clock: Clock = system_clock, learned: bool = True) -> None:
        """`learned=False` answers with the rules alone (cross-validation compares against it)."""
        self._kb = kb
        self._learned = learned
        self._clock = clock
        self._lock = threading.Lock()
        self._snapshot: _Snapshot | None = None

    @property
    def knowledge(self) -> KnowledgeBase:
        return self._kb

    def replace(self, kb: KnowledgeBase) -> None:
        """Serve a new knowledge base from the next question on (after a successful reload)."""
        with self._lock:
            self._kb = kb
            self._snapshot = None

    def now(self) -> dt.datetime:
        return as_london(self._clock())

    def snapshot(self, now: dt.datetime | None = None) -> _Snapshot:
        moment = as_london(now) if now is not None else self.now()
        instant = utc_instant(moment)
        with self._lock:
            snap = self._snapshot
            if (
                snap is None
                or instant < utc_instant(snap.valid_from)
                or (snap.valid_until is not None and instant >= snap.valid_until)
            ):
                view = public_view(self._kb, moment)
                model = shipped_model() if self._learned else None
                matcher = Matcher(view)
                names = matcher.entities.name_norm
                themes, topics = shipped_theme_model(), shipped_topic_model()
                scorer = IntentScorer.for_view(model, view, themes, names, topics) if model is not None else None
                snap = _Snapshot(moment, next_release(self._kb, moment), view, matcher, Composer(view), scorer)
                self._snapshot = snap
            return snap

    def view(self, now: dt.datetime | None = None) -> KnowledgeBase:
        return self.snapshot(now).view

    def understand(self, question: str, now: dt.datetime | None = None) -> Match:
        return self.snapshot(now).understand(question)

    def answer(self, question: str, now: dt.datetime | None = None) -> Reply:
        """The reply to one question. Never raises: an internal fault becomes an apology, logged without the text."""
        try:
            snap = self.snapshot(now)
            return snap.composer.compose(snap.understand(question))
        except Exception:
            log.exception("engine failed to answer a question (text not logged)")
            return apology()

    def act(self, action: str, now: dt.datetime | None = None) -> Reply | None:
        """The reply for a button or deep link such as ``review:child-e``; None if it names nothing visible now."""
        intent, _, entry_id = action.partition(":")
        snap = self.snapshot(now)
        if intent not in snap.composer.intents:
            return None
        refs: tuple[Ref, ...] = ()
        if intent in NEEDS_ENTRY and not entry_id:
            return None  # 'theme' or 'glossary' alone names nothing to show
        if entry_id:
            kind = ACTION_KIND.get(intent)
            if kind is None or not snap.composer.has(kind, entry_id):
                return None
            refs = (Ref(kind, entry_id),)
        kind_of = snap.matcher.intent_kind(intent)
        return snap.composer.compose(Match(kind_of, intent, refs, confidence=100.0))


def apology() -> Reply:
    """What the user sees when something inside failed: honest, and still pointing at 999."""
    return Reply(
        kind=ReplyKind.FALLBACK,
        blocks=(
            para(
                "Sorry, something went wrong on my side. Please try again. "
                "If a child is in immediate danger, call 999 now."
            ),
        ),
    )
