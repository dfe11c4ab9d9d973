"""The typed values passed along the understanding pipeline: what was named, what was understood."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from bot.kb.models import ReplyKind
from bot.nlu.english import MONTHS
from bot.nlu.normalise import Tokens


class Ref(NamedTuple):
    """A knowledge entry named by its section and id (a tuple: hashed and compared in C, on the hot path)."""

    kind: str
    id: str


@dataclass(frozen=True)
class Hit:
    """An entry named in the question, at which token positions, and whether a typo was corrected to find it."""

    ref: Ref
    positions: frozenset[int]
    corrected: bool


def review_positions(hits: list[Hit]) -> frozenset[int]:
    """Where our reviews are named among a question's tokens."""
    return frozenset(p for h in hits if h.ref.kind == "review" for p in h.positions)


class Period(NamedTuple):
    """A month and/or year a question names; either may be missing ('in July', 'in 2024')."""

    year: int | None
    month: int | None

    def holds(self, day: dt.date | None) -> bool:
        return day is not None and self.year in {None, day.year} and self.month in {None, day.month}

    def label(self) -> str:
        return " ".join(p for p in (MONTHS[self.month - 1].title() if self.month else "", str(self.year or "")) if p)


@dataclass(frozen=True)
class Match:
    """What the matcher understood: the engine composes a reply from it."""

    kind: ReplyKind
    intent: str | None
    refs: tuple[Ref, ...] = ()
    confidence: float = 0.0
    choices: tuple[Ref, ...] = ()
    also: tuple[tuple[str, tuple[Ref, ...]], ...] = ()
    alternatives: tuple[Ref, ...] = ()
    """Other partnerships' reviews with the same name, offered beside the home partnership's."""
    unknown_review: bool = False
    """The question asks about a review we do not hold (another area's, or 'Child F')."""
    someone_elses: bool = False
    """Scope found an area, case or name we do not hold: never answered with one of ours."""
    refused: bool = False
    """Scope refused: the question asks what the bot never answers (a child's real name, an essay marked)."""
    period: Period | None = None
    """'published in July 2024': the latest publications are those of this month or year."""
    from_last_question: str | None = None
    """In a long message, the question asked last when it alone decided (what the model reads too)."""
    tied: tuple[str, ...] = ()
    """Other answers' intents the rules scored exactly as this one, about the same entries: the rules cannot
    tell them apart ('my manager said read Patricia, what is it?': statement, where to read, the review)."""


@dataclass(frozen=True)
class Candidate:
    """One possible answer: an intent, the entries it would use, and how sure we are."""

    intent: str
    kind: ReplyKind
    score: float
    hits: tuple[Hit, ...]
    position: int
    """Where in the question this was asked: the earlier of two questions leads."""
    asked: bool = True
    """False for an entry merely named, with no words asking anything about it."""
    cue: float = 0.0
    """The intent's own score from its words, before any entry bonus."""


@dataclass(slots=True)
class Reading:
    """One question as the pipeline reads it, filled in step by step (each step reads what earlier ones wrote).

    `trace` is None unless someone asks why (`explain`): then each step notes its decision there."""

    text: str
    urgency: bool = True
    """False: the safety decision's urgent verdict is set aside (what would be answered were it not urgent)."""
    bare: Tokens = ()
    """The words as typed, folded, before synonyms and spelling: 'reveiws' still plural."""
    raw: Tokens = ()
    """Normalised, before spelling."""
    tokens: Tokens = ()
    """Normalised, typos corrected."""
    corrected: frozenset[int] = frozenset()
    named: list[Hit] = field(default_factory=list)
    """Every entry named, before same-name resolution."""
    scores: dict[str, float] = field(default_factory=dict)
    """The best score of each intent whose rule or phrasing matched."""
    positions: dict[str, int] = field(default_factory=dict)
    """Where in the question each intent was first asked."""
    hits: list[Hit] = field(default_factory=list)
    """The entries named, namesakes resolved."""
    alternatives: tuple[Ref, ...] = ()
    plural: bool = False
    """Reviews, briefings, SCRs: several documents are asked about."""
    candidates: list[Candidate] = field(default_factory=list)
    """The ranked answers, best first (when the pipeline got that far)."""
    sentence_starts: tuple[int, ...] = ()
    """In a long message, the token index where each sentence starts (empty: read as one)."""
    trace: list[tuple[str, str]] | None = None
    why: dict[str, tuple[float, str]] | None = None
    """When tracing: each intent's best score and the rule or phrasing behind it."""

    def note(self, step: str, what: str) -> None:
        """Record a decision, when tracing (callers test `trace is not None` first on the hot path)."""
        if self.trace is not None:
            self.trace.append((step, what))
