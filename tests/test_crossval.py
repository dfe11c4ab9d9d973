"""Cross-validation by file: no question is scored by a model trained on its file; the figures add up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest
from kb_builders import FIXTURE_KNOWLEDGE

from bot.kb.loader import load_knowledge
from bot.kb.models import ReplyKind
from bot.kb.visibility import LONDON
from bot.nlu.learned import IntentModel, Scores
from bot.nlu.normalise import Tokens
from bot.tools.crossval import Figures, cross_validate, figures, folds, table
from bot.tools.evaluation import Labelled
from bot.tools.train import fit

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=LONDON)


def labelled(q: str, kind: str, intent: str | None = None) -> Labelled:
    return Labelled(q=q, kind=ReplyKind(kind), intent=intent)


FILES = {
    "a.yaml": [
        labelled("whats new", "answer", "latest_reviews"),
        labelled("weather tomorrow", "fallback"),
        labelled("where can i read the child e report", "answer", "where_to_read"),
    ],
    "b.yaml": [
        labelled("latest reviews please", "answer", "latest_reviews"),
        labelled("tell me a joke", "fallback"),
        labelled("link to the patricia briefing", "answer", "where_to_read"),
    ],
    "c.yaml": [
        labelled("any new reviews published", "answer", "latest_reviews"),
        labelled("best pizza near me", "fallback"),
        labelled("where do i find the child c and d report", "answer", "where_to_read"),
    ],
    "d.yaml": [
        labelled("most recent lcsprs", "answer", "latest_reviews"),
        labelled("who won the football", "fallback"),
        labelled("my pupil has a bruise on her face and says dad hit her", "urgent", "urgent"),
    ],
}


class Spy(IntentModel):
    """A real fitted model that remembers what it was trained on and what it was asked."""

    def __init__(self, model: IntentModel, trained: Sequence[Tokens], asked: list[tuple[Tokens, frozenset[Tokens]]]):
        self.__dict__.update(model.__dict__)
        self.trained = frozenset(trained)
        self.asked = asked

    def scores(self, tokens: Tokens) -> Scores:
        self.asked.append((tokens, self.trained))
        return super().scores(tokens)


def test_folds_deal_whole_files_and_cover_each_once() -> None:
    names = [f"f{i}.yaml" for i in range(7)]
    held_out = folds(names, 3)
    assert len(held_out) == 3
    assert sorted(n for fold in held_out for n in fold) == sorted(names)
    assert folds(names, 3) == held_out  # the same split every run
    assert len(folds(names[:2], 5)) == 2  # never an empty fold


def test_no_question_is_scored_by_a_model_trained_on_its_file() -> None:
    asked: list[tuple[Tokens, frozenset[Tokens]]] = []
    trainings: list[frozenset[Tokens]] = []

    def spying_fit(tokens: Sequence[Tokens], labels: Sequence[str]) -> IntentModel:
        trainings.append(frozenset(tokens))
        return Spy(fit(tokens, labels, min_df=1), tokens, asked)  # toy files: every feature counts

    kb = load_knowledge(FIXTURE_KNOWLEDGE)
    scored = cross_validate(kb, FILES, NOW, k=2, fit_model=spying_fit)
    assert len(trainings) == 2
    assert sorted(s.label.q for s in scored) == sorted(x.q for f in FILES.values() for x in f)  # each once
    for s in scored:
        assert s.file not in s.trained_on
        assert s.trained_on == frozenset(FILES) - next(fold for fold in folds(list(FILES), 2) if s.file in fold)
    assert len(asked) == len(scored)
    for tokens, trained in asked:
        assert tokens not in trained  # every question is distinct, so its own file would show here
    sizes = sorted(len(t) for t in trainings)
    assert sizes == [6, 6]  # each model saw the other two files, 3 questions each


def test_figures_per_system() -> None:
    kb = load_knowledge(FIXTURE_KNOWLEDGE)
    results = figures(cross_validate(kb, FILES, NOW, k=4))
    assert set(results) == {"rules only", "learned only", "combined"}
    rules = results["rules only"]
    assert rules.questions == 12
    assert rules.urgent_recall == 1.0 and rules.false_urgent_rate == 0.0
    assert rules.confident_out_of_scope == 0
    text = table(results)
    assert "| accuracy |" in text and "learned only" in text


def test_figures_count_what_each_measure_says() -> None:
    urgent, fallback, answer = (
        labelled("u", "urgent", "urgent"),
        labelled("f", "fallback"),
        labelled("a", "answer", "review"),
    )
    f = Figures.of(
        [
            (urgent, ReplyKind.FALLBACK, False),  # a missed urgent, and a wrong fallback
            (fallback, ReplyKind.ANSWER, False),  # a confident answer out of scope
            (answer, ReplyKind.URGENT, False),  # a false urgent
            (answer, ReplyKind.ANSWER, True),
        ]
    )
    assert f.accuracy == 0.25
    assert f.in_scope_accuracy == pytest.approx(1 / 3)
    assert f.fallback_precision == 0.0 and f.fallback_recall == 0.0
    assert f.urgent_recall == 0.0
    assert f.false_urgent_rate == pytest.approx(1 / 3)
    assert f.confident_out_of_scope == 1
