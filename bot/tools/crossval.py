"""Cross-validation by file (`python -m bot crossval`): rules only, the learned model only, and the two combined.

Whole labelled files are held out, never single questions: questions in one file were written together and
resemble each other, so a model scored on a sibling of what it was trained on would look better than it is.
Each fold trains on the other files and scores only its own; the rules need no training and are scored on
every question as they stand (they were tuned on these files: their figure here is in-sample, see
docs/accuracy.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.answers.reply import Reply
from bot.kb.loader import load_knowledge
from bot.kb.models import KnowledgeBase, ReplyKind
from bot.nlu.combine import with_scorer
from bot.nlu.learned import CLARIFY, FALLBACK, IntentModel, IntentScorer, Masker, Scores, label_of
from bot.nlu.normalise import Tokens
from bot.service.engine import Engine, system_clock
from bot.tools.evaluation import Labelled, is_right, load_labels
from bot.tools.train import (
    REGRESSION_DIR,
    fit,
    label_files,
    sector_themes,
    theme_pairs,
    topic_ids,
    topic_pairs,
    training_pairs,
)

FOLDS = 5
Fit = Callable[[Sequence[Tokens], Sequence[str]], IntentModel]


@dataclass(frozen=True)
class Scored:
    """One held-out question: what each system made of it, and which files its model was trained on."""

    file: str
    label: Labelled
    rules: Reply
    learned: str
    learned_kind: ReplyKind
    combined: Reply
    trained_on: frozenset[str]


@dataclass(frozen=True)
class Figures:
    """The measures the brief asks for, from (label, predicted kind, right) triples."""

    questions: int
    accuracy: float
    in_scope_accuracy: float
    fallback_precision: float
    fallback_recall: float
    urgent_recall: float
    false_urgent_rate: float
    confident_out_of_scope: int

    @classmethod
    def of(cls, outcomes: Sequence[tuple[Labelled, ReplyKind, bool]]) -> Figures:
        def share(hits: int, total: int) -> float:
            return hits / total if total else 1.0

        in_scope = [o for o in outcomes if o[0].kind != ReplyKind.FALLBACK]
        fell = [o for o in outcomes if o[1] == ReplyKind.FALLBACK]
        out_of_scope = [o for o in outcomes if o[0].kind == ReplyKind.FALLBACK]
        urgent = [o for o in outcomes if o[0].kind == ReplyKind.URGENT]
        not_urgent = [o for o in outcomes if o[0].kind != ReplyKind.URGENT]
        return cls(
            questions=len(outcomes),
            accuracy=share(sum(o[2] for o in outcomes), len(outcomes)),
            in_scope_accuracy=share(sum(o[2] for o in in_scope), len(in_scope)),
            fallback_precision=share(sum(o[0].kind == ReplyKind.FALLBACK for o in fell), len(fell)),
            fallback_recall=share(sum(o[1] == ReplyKind.FALLBACK for o in out_of_scope), len(out_of_scope)),
            urgent_recall=share(sum(o[1] == ReplyKind.URGENT for o in urgent), len(urgent)),
            false_urgent_rate=share(sum(o[1] == ReplyKind.URGENT for o in not_urgent), len(not_urgent)),
            confident_out_of_scope=sum(o[1] in {ReplyKind.ANSWER, ReplyKind.URGENT} for o in out_of_scope),
        )


def folds(files: Sequence[str], k: int) -> list[frozenset[str]]:
    """The held-out files of each fold: sorted names dealt round-robin, so every run splits alike."""
    ordered = sorted(files)
    return [frozenset(ordered[i::k]) for i in range(min(k, len(ordered)))]


def cross_validate(
    kb: KnowledgeBase,
    labelled: dict[str, list[Labelled]],
    now: dt.datetime,
    k: int = FOLDS,
    fit_model: Fit = fit,
) -> list[Scored]:
    """Every question of `labelled` (file name -> questions) scored by a model that never saw its file."""
    engine = Engine(kb, clock=lambda: now, learned=False)  # the rules as they stand, no shipped model
    snap = engine.snapshot(now)
    kinds = {intent.id: intent.kind for intent in snap.view.intents}
    masker = Masker.from_knowledge(kb)
    sectors = sector_themes(kb)
    out: list[Scored] = []
    for held_out in folds(list(labelled), k):
        trained_on = frozenset(labelled) - held_out
        train = [label for name in sorted(trained_on) for label in labelled[name]]
        model = fit_model(*training_pairs(masker, train))
        theme_tokens, themes = theme_pairs(masker, train, sectors)
        theme_model = fit_model(theme_tokens, themes) if len(set(themes)) > 1 else None
        topic_tokens, topics = topic_pairs(masker, train, topic_ids(kb))
        topic_model = fit_model(topic_tokens, topics) if len(set(topics)) > 1 else None
        theme_ids = (theme.id for theme in snap.view.themes)
        held = (topic.id for topic in snap.view.topics)
        scorer = IntentScorer(model, masker, kinds, theme_model, theme_ids, topic_model, held)
        scored: dict[str, Scores] = {}

        def score(text: str, scorer: IntentScorer = scorer, scored: dict[str, Scores] = scored) -> Scores:
            """The fold's model's scores of a text, each text scored once."""
            if text not in scored:
                scored[text] = scorer.scores(text)
            return scored[text]

        for name in sorted(held_out):
            for label in labelled[name]:
                match = snap.matcher.match(label.q)  # the rules alone: the shipped model saw every file
                best = score(label.q).best[0]
                combined = with_scorer(
                    snap.matcher, score, kinds, label.q, match, scorer.theme_scores, scorer.topic_scores
                )
                out.append(
                    Scored(
                        file=name,
                        label=label,
                        rules=snap.composer.compose(match),
                        learned=best,
                        learned_kind=_kind_of(best, kinds),
                        combined=snap.composer.compose(combined),
                        trained_on=trained_on,
                    )
                )
    return out


def _kind_of(label: str, kinds: dict[str, ReplyKind]) -> ReplyKind:
    if label in {FALLBACK, CLARIFY}:
        return ReplyKind(label)
    return kinds.get(label, ReplyKind.ANSWER)


def figures(scored: Sequence[Scored]) -> dict[str, Figures]:
    """Rules only, learned only (its class against the label's intent or kind; entries are not its job),
    and combined."""
    return {
        "rules only": Figures.of([(s.label, s.rules.kind, is_right(s.label, s.rules)) for s in scored]),
        "learned only": Figures.of(
            [(s.label, s.learned_kind, s.learned == label_of(s.label.kind.value, s.label.intent)) for s in scored]
        ),
        "combined": Figures.of([(s.label, s.combined.kind, is_right(s.label, s.combined)) for s in scored]),
    }


def table(results: dict[str, Figures]) -> str:
    rows = [
        ("accuracy", "accuracy", "{:.2%}"),
        ("in-scope accuracy", "in_scope_accuracy", "{:.2%}"),
        ("fallback precision", "fallback_precision", "{:.2%}"),
        ("fallback recall", "fallback_recall", "{:.2%}"),
        ("urgent recall", "urgent_recall", "{:.2%}"),
        ("false urgent rate", "false_urgent_rate", "{:.2%}"),
        ("confident out-of-scope", "confident_out_of_scope", "{}"),
    ]
    names = list(results)
    lines = [f"| measure | {' | '.join(names)} |", "|---|" + "---:|" * len(names)]
    for title, attr, fmt in rows:
        lines.append(f"| {title} | " + " | ".join(fmt.format(getattr(results[n], attr)) for n in names) + " |")
    return "\n".join(lines)


def run_crossval(knowledge: Path, args: argparse.Namespace) -> int:
    kb = load_knowledge(knowledge)
    labelled = {path.name: load_labels(path) for path in label_files(args.labels)}
    now = args.now or system_clock()
    scored = cross_validate(kb, labelled, now, args.folds)
    results = figures(scored)
    count = sum(map(len, labelled.values()))
    print(f"{count} questions in {len(labelled)} files, {args.folds} folds by file\n")
    print(table(results))
    if args.show_changes:
        for s in scored:
            if (s.rules.kind, s.rules.intent) != (s.combined.kind, s.combined.intent):
                verdict = {(True, False): "LOST", (False, True): "GAINED"}.get(
                    (is_right(s.label, s.rules), is_right(s.label, s.combined)), "CHANGED"
                )
                print(
                    f"{verdict} {s.file} {s.label.q!r}: want {s.label.kind.value}/{s.label.intent}, "
                    f"rules {s.rules.kind.value}/{s.rules.intent}, combined {s.combined.kind.value}/{s.combined.intent}"
                )
    if args.json is not None:
        args.json.write_text(json.dumps({n: vars(f) for n, f in results.items()}, indent=2) + "\n")
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--labels", type=Path, default=REGRESSION_DIR, help="folder of labelled YAML files")
    parser.add_argument("--folds", type=int, default=FOLDS, help=f"number of folds over the files (default {FOLDS})")
    parser.add_argument("--json", type=Path, default=None, help="write the figures as JSON to this file")
    parser.add_argument("--show-changes", action="store_true", help="list where combined differs from rules")
