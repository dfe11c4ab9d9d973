"""The learned intent model: features, masking, fitting on a small set built here, saving and loading."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest
from kb_builders import FIXTURE_KNOWLEDGE

from bot.kb.loader import load_knowledge
from bot.kb.models import ReplyKind
from bot.nlu.learned import IntentModel, IntentScorer, Masker, Scores, features, label_of
from bot.nlu.normalise import Synonyms
from bot.tools.evaluation import Labelled
from bot.tools.train import MIN_DF, fit, theme_of, topic_pairs

# A small labelled set: three intents, a few phrasings each, with a review name in some of them.
TRAIN = [
    ("whats new", "latest_reviews"),
    ("latest reviews please", "latest_reviews"),
    ("any new reviews published recently", "latest_reviews"),
    ("most recent reviews", "latest_reviews"),
    ("where can i read child q", "where_to_read"),
    ("link to the child q report", "where_to_read"),
    ("where is the report for child r", "where_to_read"),
    ("can i download the child r briefing", "where_to_read"),
    ("weather tomorrow", "fallback"),
    ("tell me a joke", "fallback"),
    ("what is the capital of france", "fallback"),
    ("best pizza near me", "fallback"),
]
NAMES = {("child", "q"): "review", ("child", "r"): "review"}


@pytest.fixture(scope="module")
def masker() -> Masker:
    return Masker(NAMES, Synonyms([]))


@pytest.fixture(scope="module")
def model(masker: Masker) -> IntentModel:
    return fit([masker.tokens(q) for q, _ in TRAIN], [label for _, label in TRAIN])


def test_labels_are_the_intent_or_else_the_kind() -> None:
    assert label_of("answer", "theme") == "theme"
    assert label_of("fallback", None) == "fallback"
    assert label_of("clarify", None) == "clarify"


def test_names_are_masked_by_kind_longest_first(masker: Masker) -> None:
    assert masker.tokens("Where's Child Q's report?") == ("where", "is", "xreviewx", "report")
    assert masker.tokens("a child in need") == ("a", "child", "in", "need")


def test_knowledge_names_are_masked_not_the_domain_words() -> None:
    masker = Masker.from_knowledge(load_knowledge(FIXTURE_KNOWLEDGE))
    assert masker.tokens("Child E neglect LCSPR emergency police") == (
        "xreviewx",
        "xthemex",
        "lcspr",  # a term, 'emergency' a contact's word and 'police' a sector: the domain's language, kept
        "emergency",
        "police",
    )


def test_features_count_words_pairs_and_letters_but_not_placeholders() -> None:
    counts = features(("new", "xreviewx"))
    assert counts["w:new"] == 1 and counts["w:new xreviewx"] == 1 and counts["w:xreviewx"] == 1
    assert counts["c: ne"] == 1 and counts["c:new "] == 1
    assert not any(f.startswith("c:") and "xre" in f for f in counts)


def test_a_fitted_model_generalises_to_unseen_names_and_wordings(model: IntentModel, masker: Masker) -> None:
    assert model.scores(masker.tokens("where do i read child r")).best[0] == "where_to_read"
    assert model.scores(masker.tokens("anything new lately")).best[0] == "latest_reviews"
    assert model.scores(masker.tokens("joke about pizza")).best[0] == "fallback"


def test_scores_are_probabilities_best_first(model: IntentModel, masker: Masker) -> None:
    scores = model.scores(masker.tokens("latest reviews"))
    probabilities = [p for _, p in scores.ranked]
    assert math.isclose(sum(probabilities), 1.0, abs_tol=1e-6)
    assert probabilities == sorted(probabilities, reverse=True)
    assert scores.margin == pytest.approx(probabilities[0] - probabilities[1])
    assert scores.of("latest_reviews") == probabilities[0]
    assert scores.of("no_such_class") == 0.0


def test_pure_python_scores_equal_scikit_learns(model: IntentModel, masker: Masker) -> None:
    """The shipped scorer computes what scikit-learn's pipeline computes, so cross-validation measures it."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import LogisticRegression

    counts = [features(masker.tokens(q)) for q, _ in TRAIN]
    df = Counter(f for c in counts for f in c)
    counts = [Counter({f: n for f, n in c.items() if df[f] >= MIN_DF}) for c in counts]
    vectoriser = DictVectorizer()
    tfidf = TfidfTransformer(sublinear_tf=True)
    x = tfidf.fit_transform(vectoriser.fit_transform(counts))
    reference = LogisticRegression(C=10.0, max_iter=2000).fit(x, [label for _, label in TRAIN])
    question = "where can i read the latest child q report"
    expected = reference.predict_proba(tfidf.transform(vectoriser.transform([features(masker.tokens(question))])))[0]
    got = dict(model.scores(masker.tokens(question)).ranked)
    for label, probability in zip(reference.classes_, expected, strict=True):
        assert got[label] == pytest.approx(probability, abs=1e-4)


def test_an_empty_question_still_scores(model: IntentModel) -> None:
    assert model.scores(()).best[0] in model.classes


def test_save_and_load_give_the_same_scores(model: IntentModel, masker: Masker, tmp_path: Path) -> None:
    path = tmp_path / "model.json.gz"
    model.save(path)
    again = IntentModel.load(path)
    tokens = masker.tokens("link to child q")
    assert again.classes == model.classes
    for (label, p), (label2, p2) in zip(model.scores(tokens).ranked, again.scores(tokens).ranked, strict=True):
        assert label == label2 and p == pytest.approx(p2, abs=1e-5)
    model.save(tmp_path / "again.json.gz")
    assert (tmp_path / "again.json.gz").read_bytes() == path.read_bytes()  # the same model, the same bytes


def test_a_truncated_artefact_is_refused(model: IntentModel, tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "model.json.gz"
    model.save(path)
    path.write_bytes(gzip.compress(gzip.decompress(path.read_bytes())[:-8]))
    with pytest.raises(ValueError, match="truncated"):
        IntentModel.load(path)


def test_mismatched_weights_are_refused() -> None:
    with pytest.raises(ValueError):
        IntentModel(["a", "b"], ["w:x"], [1.0], [[0.5]], [0.0, 0.0])


def test_a_theme_question_trains_the_theme_model_on_its_one_theme_of_harm() -> None:
    sectors = frozenset({"sector-health"})

    def theme(intent: str, *entries: str) -> str | None:
        return theme_of(Labelled(q="q", kind=ReplyKind.ANSWER, intent=intent, entries=list(entries)), sectors)

    assert theme("theme", "neglect") == "neglect"
    assert theme("theme", "sector-health", "neglect") == "neglect"  # the sector says who asks
    assert theme("theme", "sector-health") == "sector-health"
    assert theme("theme", "neglect", "online-harm") is None  # about two: taught neither
    assert theme("review", "child-e") is None


def test_the_theme_scores_leave_out_themes_the_view_no_longer_holds(model: IntentModel, masker: Masker) -> None:
    """A theme model trained before a theme was removed never brings it back."""
    held = IntentScorer(model, masker, {}, themes=model, theme_ids={"where_to_read", "fallback"})
    ranked = [label for label, _ in held.theme_scores("where can i read child q").ranked]
    assert ranked and set(ranked) <= {"where_to_read", "fallback"}
    assert IntentScorer(model, masker, {}).theme_scores("where can i read child q") == Scores(())


def test_the_topic_scores_leave_out_explainers_the_view_no_longer_holds(model: IntentModel, masker: Masker) -> None:
    held = IntentScorer(model, masker, {}, topics=model, topic_ids={"where_to_read"})
    assert [label for label, _ in held.topic_scores("where can i read child q").ranked] == ["where_to_read"]
    assert IntentScorer(model, masker, {}).topic_scores("where can i read child q") == Scores(())


def test_the_topic_model_learns_process_questions_labelled_with_one_explainer(masker: Masker) -> None:
    def asked(intent: str, *entries: str) -> Labelled:
        return Labelled(q="who decides", kind=ReplyKind.ANSWER, intent=intent, entries=list(entries))

    labels = [asked("how_reviews_work", "how-reviews-work"), asked("how_reviews_work"), asked("glossary", "cspr")]
    labels.append(asked("how_reviews_work", "how-reviews-work", "why-briefing-only"))  # about two: taught neither
    _, topics = topic_pairs(masker, labels, frozenset({"how-reviews-work", "why-briefing-only"}))
    assert topics == ["how-reviews-work"]


def test_the_masker_built_from_the_matchers_names_masks_the_same() -> None:
    """The engine hands the matcher's normalised names to the masker (one normalisation per name, not two)."""
    from bot.nlu.matcher import Matcher

    kb = load_knowledge(FIXTURE_KNOWLEDGE)
    shared = Masker.from_knowledge(kb, norm=Matcher(kb).entities.name_norm)
    alone = Masker.from_knowledge(kb)
    for question in ("what did the chair say about child e", "neglect learning in rutland", "the baby scr please"):
        assert shared.tokens(question) == alone.tokens(question)
    assert "xreviewx" in shared.tokens("what did the chair say about child e")
