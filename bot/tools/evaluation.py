"""Score the engine on a labelled question set: accuracy per intent, fallback precision, leaks."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from bot.answers.reply import Reply
from bot.errors import ReviewsBotError
from bot.kb.leaks import LeakChecker
from bot.kb.models import ReplyKind
from bot.service.engine import Engine


class LabelError(ReviewsBotError):
    """The labelled question file is malformed."""


class Labelled(BaseModel):
    """One labelled question: the reply must have this kind, this intent (if given), these entries among its own."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    q: str
    kind: ReplyKind
    intent: str | None = None
    entries: list[str] = []


def load_labels(path: Path) -> list[Labelled]:
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LabelError(f"{path}: {exc}") from exc
    if not isinstance(data, list):
        raise LabelError(f"{path}: expected a list of questions")
    labels: list[Labelled] = []
    for index, item in enumerate(data):
        try:
            labels.append(Labelled.model_validate(item))
        except ValidationError as exc:
            raise LabelError(f"{path}: item {index}: {exc.errors()[0]['msg']}") from exc
    return labels


def is_right(label: Labelled, reply: Reply) -> bool:
    if reply.kind != label.kind:
        return False
    if label.intent is not None and reply.intent != label.intent:
        return False
    return set(label.entries) <= set(reply.entries)


@dataclass
class Outcome:
    label: Labelled
    reply: Reply
    right: bool
    leaks: list[str]


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return sum(o.right for o in self.outcomes) / len(self.outcomes) if self.outcomes else 0.0

    @property
    def leak_count(self) -> int:
        return sum(len(o.leaks) for o in self.outcomes)

    @property
    def fallback_precision(self) -> float:
        """Of the replies that fell back, the share that should have (nothing answerable was refused)."""
        fell = [o for o in self.outcomes if o.reply.kind == ReplyKind.FALLBACK]
        return sum(o.label.kind == ReplyKind.FALLBACK for o in fell) / len(fell) if fell else 1.0

    @property
    def confident_out_of_scope(self) -> int:
        """Out-of-scope questions that got an answer: the worst kind of mistake."""
        return sum(
            o.label.kind == ReplyKind.FALLBACK and o.reply.kind in {ReplyKind.ANSWER, ReplyKind.URGENT}
            for o in self.outcomes
        )

    @property
    def urgent_missed(self) -> int:
        """Urgent messages that did not get the urgent reply: a child at risk without the numbers first."""
        return sum(o.label.kind == ReplyKind.URGENT and o.reply.kind != ReplyKind.URGENT for o in self.outcomes)

    @property
    def false_urgent(self) -> int:
        """Non-urgent questions answered with the urgent reply instead of what was asked."""
        return sum(o.label.kind != ReplyKind.URGENT and o.reply.kind == ReplyKind.URGENT for o in self.outcomes)

    def per_group(self) -> dict[str, tuple[int, int]]:
        totals: Counter[str] = Counter()
        right: Counter[str] = Counter()
        for o in self.outcomes:
            group = o.label.intent or o.label.kind.value
            totals[group] += 1
            right[group] += o.right
        return {group: (right[group], totals[group]) for group in sorted(totals)}

    def summary(self) -> str:
        lines = [f"{'group':<22}{'right':>7}{'total':>7}{'accuracy':>10}"]
        for group, (ok, total) in self.per_group().items():
            lines.append(f"{group:<22}{ok:>7}{total:>7}{ok / total:>10.1%}")
        lines += [
            "",
            f"accuracy: {self.accuracy:.1%} ({sum(o.right for o in self.outcomes)}/{len(self.outcomes)})",
            f"fallback precision: {self.fallback_precision:.1%}",
            f"confident answers to out-of-scope questions: {self.confident_out_of_scope}",
            f"urgent missed: {self.urgent_missed} of {sum(o.label.kind == ReplyKind.URGENT for o in self.outcomes)}",
            f"false urgent: {self.false_urgent} of {sum(o.label.kind != ReplyKind.URGENT for o in self.outcomes)}",
            f"leaks: {self.leak_count}",
        ]
        return "\n".join(lines)


def evaluate(engine: Engine, labels: list[Labelled], now: dt.datetime) -> Report:
    report = Report()
    leaks = LeakChecker(engine.knowledge, now)
    for label in labels:
        reply = engine.answer(label.q, now)
        report.outcomes.append(Outcome(label, reply, is_right(label, reply), leaks.find(reply)))
    return report
