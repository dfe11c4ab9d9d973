"""Build the learned intent model from labelled questions (`python -m bot train`); scikit-learn needed here only.

The fitted model is exported to the plain JSON artefact that bot/nlu/learned.py scores without numpy, so
what cross-validation measures (bot/tools/crossval.py, same `fit`) is exactly what ships.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from bot.kb.loader import load_knowledge
from bot.kb.models import KnowledgeBase
from bot.nlu.learned import MODEL_PATH, THEME_MODEL_PATH, TOPIC_MODEL_PATH, IntentModel, Masker, features, label_of
from bot.nlu.normalise import Tokens
from bot.tools.evaluation import Labelled, load_labels

# A feature seen in fewer questions is noise and bloats the artefact: 2 -> 3 took 14 MB off the RSS, 3 -> 4 took the
# intent model from 3.55 to 2.98 MB (223 files); cross-validated by file, the same either time (docs/accuracy.md).
MIN_DF = 4
C = 10.0  # inverse regularisation, chosen by cross-validation by file (docs/accuracy.md)
REGRESSION_DIR = Path(__file__).resolve().parents[2] / "tests" / "eval" / "regression"


def fit(tokens: Sequence[Tokens], labels: Sequence[str], c: float = C, min_df: int = MIN_DF) -> IntentModel:
    """Multinomial logistic regression over sublinear TF-IDF of `features` seen in `min_df` questions or more, as
    an IntentModel."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import LogisticRegression

    counts = [features(t) for t in tokens]
    df: Counter[str] = Counter(f for c_ in counts for f in c_)
    kept = [{f: n for f, n in c_.items() if df[f] >= min_df} for c_ in counts]
    vectoriser = DictVectorizer()
    x = vectoriser.fit_transform(kept)
    tfidf = TfidfTransformer(sublinear_tf=True)
    x = tfidf.fit_transform(x)
    classifier = LogisticRegression(C=c, max_iter=2000)
    classifier.fit(x, list(labels))
    classes = [str(k) for k in classifier.classes_]
    coef = classifier.coef_.tolist()
    intercept = classifier.intercept_.tolist()
    if len(classes) == 2:  # binary: scikit-learn keeps one row; the softmax form needs one per class
        coef = [[-w / 2 for w in coef[0]], [w / 2 for w in coef[0]]]
        intercept = [-intercept[0] / 2, intercept[0] / 2]
    names = [str(name) for name in vectoriser.get_feature_names_out()]
    return IntentModel(classes, names, tfidf.idf_.tolist(), coef, intercept)


def training_pairs(masker: Masker, labels: Sequence[Labelled]) -> tuple[list[Tokens], list[str]]:
    return [masker.tokens(label.q) for label in labels], [label_of(label.kind.value, label.intent) for label in labels]


def sector_themes(kb: KnowledgeBase) -> frozenset[str]:
    """The sector themes ('learning for housing'): they say who asks, so the theme model learns them only alone."""
    return frozenset(theme.id for theme in kb.themes if theme.sector)


def theme_of(label: Labelled, sectors: frozenset[str]) -> str | None:
    """The one theme a theme question is about, for the theme model: its one theme of harm (a sector named
    beside it says who asks), or its one sector; None for a question about several."""
    if label.intent != "theme":
        return None
    harms = [entry for entry in label.entries if entry not in sectors]
    if len(harms) == 1:
        return harms[0]
    return label.entries[0] if not harms and len(label.entries) == 1 else None


def theme_pairs(masker: Masker, labels: Sequence[Labelled], sectors: frozenset[str]) -> tuple[list[Tokens], list[str]]:
    about = [(label, theme_of(label, sectors)) for label in labels]
    return [masker.tokens(label.q) for label, theme in about if theme], [theme for _, theme in about if theme]


def topic_pairs(masker: Masker, labels: Sequence[Labelled], topics: frozenset[str]) -> tuple[list[Tokens], list[str]]:
    """The process questions labelled with one explainer, for the topic model."""
    about = [(label, label.entries[0]) for label in labels if len(label.entries) == 1 and label.entries[0] in topics]
    return [masker.tokens(label.q) for label, _ in about], [topic for _, topic in about]


def topic_ids(kb: KnowledgeBase) -> frozenset[str]:
    return frozenset(topic.id for topic in kb.topics)


def label_files(directory: Path) -> list[Path]:
    """The labelled question sets of a folder (`questions*.yaml`; floors.yaml and the like are not sets)."""
    return sorted(directory.glob("questions*.yaml"))


def run_train(knowledge: Path, args: argparse.Namespace) -> int:
    """Train on every labelled file in `args.labels` and write the artefact shipped in the package."""
    kb = load_knowledge(knowledge)
    masker = Masker.from_knowledge(kb)
    labels = [label for path in label_files(args.labels) for label in load_labels(path)]
    tokens, classes = training_pairs(masker, labels)
    model = fit(tokens, classes)
    model.save(args.output)
    size = args.output.stat().st_size
    print(f"trained on {len(labels)} questions, {len(model.classes)} classes; wrote {args.output} ({size:,} bytes)")
    tokens, themes = theme_pairs(masker, labels, sector_themes(kb))
    theme_model = fit(tokens, themes)
    theme_model.save(args.theme_output)
    print(f"themes: trained on {len(themes)} questions, {len(theme_model.classes)} themes; wrote {args.theme_output}")
    tokens, topics = topic_pairs(masker, labels, topic_ids(kb))
    topic_model = fit(tokens, topics)
    topic_model.save(args.topic_output)
    print(f"topics: trained on {len(topics)} questions, {len(topic_model.classes)} topics; wrote {args.topic_output}")
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--labels", type=Path, default=REGRESSION_DIR, help="folder of labelled YAML files")
    parser.add_argument("--output", type=Path, default=MODEL_PATH, help="where to write the model")
    parser.add_argument("--theme-output", type=Path, default=THEME_MODEL_PATH, help="where to write the theme model")
    parser.add_argument("--topic-output", type=Path, default=TOPIC_MODEL_PATH, help="where to write the topic model")
