"""A learned intent scorer: word and character n-grams, TF-IDF, one linear model, trained on labelled questions.

It generalises past the rules' exact words ('a review nobody can find online' is where_to_read though no
rule says so). It learns phrasing, not our names: the names of reviews, of the people who made statements, of
themes and of partnerships are replaced by a placeholder of their kind before counting, so a new review or theme in the
knowledge base needs no retraining.

Training needs scikit-learn (`python -m bot train`, `python -m bot crossval`); answering needs nothing but
this module: the model ships as a small artefact (features, IDF, weights) scored in pure Python, so
start-up imports no numerical library and nothing is downloaded at run time.
"""

from __future__ import annotations

import gzip
import json
import math
import sys
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from operator import itemgetter, mul
from pathlib import Path

from bot.kb.models import KnowledgeBase, ReplyKind
from bot.nlu.normalise import Synonyms, Tokens, normalise_words, replace_longest, words

MODEL_PATH = Path(__file__).parent / "data" / "intent_model.json.gz"
THEME_MODEL_PATH = Path(__file__).parent / "data" / "theme_model.json.gz"
"""Which theme a question describes in everyday words ('mum's been in and out of the Bradgate Unit'), trained
on the theme questions with their names masked: a named theme is the rules' to find."""
TOPIC_MODEL_PATH = Path(__file__).parent / "data" / "topic_model.json.gz"
"""Which explainer a process question asks for ('who decides whether there is a review' is how reviews work;
'what are they allowed to hold back' is why only a briefing), trained on the process questions labelled with
one topic: the wording of such questions is too varied for the topics' few aliases."""
FORMAT = 1
CHAR_SIZES = (3, 4, 5)  # character n-grams inside word boundaries: robust to typos and inflection
WORD_SIZES = (1, 2)
FALLBACK = "fallback"  # class of out-of-scope questions
CLARIFY = "clarify"  # class of questions that must be asked back ('the review', 'what did she say')
MASK_KINDS = ("review", "statement", "theme", "partnership")
"""Names masked: what content adds (reviews, the people who made statements, themes of harm, partnerships:
another partnership adopting the bot brings its own, and 'Elsewhere Child E' must not read as 'reviews
from elsewhere'). Terms, contacts, resources and sector themes stay words: 'LCSPR', 'emergency', 'police'
are the domain's language and tell the intent (masking them too cost 2.2 points of the model's accuracy
under cross-validation by file; see docs/accuracy.md for what masking these costs)."""
PLACEHOLDERS = frozenset(f"x{kind}x" for kind in MASK_KINDS)


def label_of(kind: str, intent: str | None) -> str:
    """The class a labelled question trains: its intent, or its kind when it has none (fallback, clarify)."""
    return intent or kind


class Masker:
    """Replaces the names of knowledge entries by their kind ('child e' -> 'xreviewx'), longest name first.

    Built from the knowledge base, so new content is masked without retraining. Exact normalised names only:
    typo correction is the matcher's job, and a missed mask costs little (typos left names unmasked in part
    of the training questions too, and the entries of an answer always come from the rules)."""

    def __init__(self, names: Mapping[Tokens, str], synonyms: Synonyms) -> None:
        self._masks = {name: (f"x{kind}x",) for name, kind in names.items()}
        self._synonyms = synonyms
        self._longest = max((len(k) for k in self._masks), default=0)

    @classmethod
    def from_knowledge(
        cls, kb: KnowledgeBase, kinds: Iterable[str] = MASK_KINDS, norm: Callable[[str], Tokens] | None = None
    ) -> Masker:
        """`norm`: the matcher's normalised names, when it has them (EntityIndex.name_norm): the same names,
        normalised the same way, are not normalised twice."""
        synonyms = Synonyms((s.canonical, s.variants) for s in kb.synonyms)
        if norm is None:

            def norm(phrase: str) -> Tokens:
                return normalise_words(words(phrase), synonyms)

        wanted = set(kinds)
        phrases: dict[str, str] = {}  # each distinct phrase normalised once: names repeat ('Child A' in many areas)
        for kind, entries in (
            ("review", ((r.name, *r.aliases) for r in kb.reviews)),
            ("statement", ((s.by,) for s in kb.statements)),
            ("theme", ((t.name, *t.aliases) for t in kb.themes if not t.sector)),
            ("partnership", ((p.name, p.short_name, *p.aliases) for p in kb.partnerships)),
        ):
            if kind in wanted:
                for entry in entries:
                    for phrase in entry:
                        phrases.setdefault(phrase, kind)
        names: dict[Tokens, str] = {}
        for phrase, kind in phrases.items():
            key = norm(phrase)
            if key and len("".join(key)) > 1:  # a lone letter ('e') would mask every 'e'
                names.setdefault(key, kind)
        return cls(names, synonyms)

    def tokens(self, text: str) -> Tokens:
        """Normalised words of `text` with entry names replaced by 'x<kind>x'."""
        return replace_longest(normalise_words(words(text), self._synonyms), self._masks, self._longest)


def features(tokens: Tokens) -> Counter[str]:
    """Counts of word n-grams ('w:' prefix) and character n-grams within padded words ('c:' prefix)."""
    grams = [f"w:{' '.join(tokens[i : i + n])}" for n in WORD_SIZES for i in range(len(tokens) - n + 1)]
    for token in tokens:
        if token in PLACEHOLDERS:
            continue  # a placeholder is one feature, not a string of letters
        padded = f" {token} "
        grams += [f"c:{padded[i : i + n]}" for n in CHAR_SIZES for i in range(len(padded) - n + 1)]
    return Counter(grams)


@dataclass(frozen=True)
class Scores:
    """Probabilities per class (intents, 'fallback', 'clarify'), best first."""

    ranked: tuple[tuple[str, float], ...]

    @property
    def best(self) -> tuple[str, float]:
        return self.ranked[0] if self.ranked else (FALLBACK, 0.0)

    @property
    def margin(self) -> float:
        """How far the best class leads the second: small means the model cannot tell them apart."""
        if len(self.ranked) < 2:
            return self.best[1]
        return self.ranked[0][1] - self.ranked[1][1]

    def of(self, label: str) -> float:
        return dict(self.ranked).get(label, 0.0)

    def knows(self, label: str) -> bool:
        """Was the model trained on this class? (An intent added since has no examples in it.)"""
        return any(known == label for known, _ in self.ranked)


class IntentModel:
    """A linear model over sublinear TF-IDF features, L2-normalised, softmax over classes (multinomial
    logistic regression's decision function, computed in pure Python: one C-level pass per class)."""

    def __init__(
        self,
        classes: Sequence[str],
        features: Sequence[str],
        idf: Sequence[float],
        weights: Sequence[Sequence[float]],
        intercept: Sequence[float],
    ) -> None:
        """`weights` holds one row per class, one column per feature (scikit-learn's `coef_`)."""
        if len(idf) != len(features) or len(weights) != len(classes) or len(intercept) != len(classes):
            raise ValueError("intent model: classes, features, idf, weights and intercept do not agree")
        if any(len(row) != len(features) for row in weights):
            raise ValueError("intent model: a weight row does not cover every feature")
        self.classes = tuple(classes)
        self.features = tuple(features)
        self._index = {f: i for i, f in enumerate(self.features)}
        self._idf = array("f", idf)
        self._weights = [array("f", row) for row in weights]
        self._intercept = tuple(float(b) for b in intercept)

    def scores(self, tokens: Tokens) -> Scores:
        known = [(self._index[f], c) for f, c in features(tokens).items() if f in self._index]
        columns = [j for j, _ in known]
        values = [(1.0 + math.log(c)) * self._idf[j] for j, c in known]
        norm = math.sqrt(sum(v * v for v in values)) or 1.0
        values = [v / norm for v in values]
        pick = itemgetter(*columns) if len(columns) > 1 else lambda row: tuple(row[j] for j in columns)
        logits = [  # one C-level gather and one C-level dot product per class
            bias + sum(map(mul, values, pick(row))) for bias, row in zip(self._intercept, self._weights, strict=True)
        ]
        top = max(logits)
        exps = [math.exp(x - top) for x in logits]
        total = sum(exps)
        ranked = sorted(zip(self.classes, (e / total for e in exps), strict=True), key=lambda p: -p[1])
        return Scores(tuple(ranked))

    def save(self, path: Path) -> None:
        """One gzip file: a JSON header (format, classes, features, intercept), then float32 IDF and weights.
        Binary numbers load in milliseconds where JSON numbers took most of a second."""
        header = json.dumps(
            {"format": FORMAT, "classes": self.classes, "features": self.features, "intercept": self._intercept},
            separators=(",", ":"),
        ).encode()
        numbers = array("f", self._idf)
        for row in self._weights:
            numbers.extend(row)
        if sys.byteorder != "little":  # pragma: no cover - the artefact is little-endian everywhere
            numbers.byteswap()
        payload = len(header).to_bytes(4, "little") + header + numbers.tobytes()
        path.write_bytes(gzip.compress(payload, mtime=0))  # mtime 0: the same model gives the same bytes

    @classmethod
    def load(cls, path: Path) -> IntentModel:
        payload = gzip.decompress(path.read_bytes())
        size = int.from_bytes(payload[:4], "little")
        header = json.loads(payload[4 : 4 + size])
        if header.get("format") != FORMAT:
            raise ValueError(f"intent model {path}: format {header.get('format')!r}, expected {FORMAT}")
        numbers = array("f")
        numbers.frombytes(payload[4 + size :])
        if sys.byteorder != "little":  # pragma: no cover
            numbers.byteswap()
        n = len(header["features"])
        if len(numbers) != n * (1 + len(header["classes"])):
            raise ValueError(f"intent model {path}: truncated")
        rows = [numbers[n * (k + 1) : n * (k + 2)] for k in range(len(header["classes"]))]
        return cls(header["classes"], header["features"], numbers[:n], rows, header["intercept"])


def load_if_present(path: Path) -> IntentModel | None:
    """The model at `path`, or None when none was built (uncached: the bench times each load)."""
    return IntentModel.load(path) if path.exists() else None


@cache
def shipped_model() -> IntentModel | None:
    """The model built by `python -m bot train` and shipped in the package; None when there is none."""
    return load_if_present(MODEL_PATH)


@cache
def shipped_theme_model() -> IntentModel | None:
    """The theme model built beside the intent model; None when there is none."""
    return load_if_present(THEME_MODEL_PATH)


@cache
def shipped_topic_model() -> IntentModel | None:
    """The topic model built beside the intent model; None when there is none."""
    return load_if_present(TOPIC_MODEL_PATH)


class IntentScorer:
    """Scores a question's intents over one knowledge base view: its masker, its intents' kinds, a model; with
    a theme model, which of the view's themes it describes; with a topic model, which explainer it asks for."""

    def __init__(
        self,
        model: IntentModel,
        masker: Masker,
        kinds: Mapping[str, ReplyKind],
        themes: IntentModel | None = None,
        theme_ids: Iterable[str] = (),
        topics: IntentModel | None = None,
        topic_ids: Iterable[str] = (),
    ) -> None:
        self.model = model
        self.masker = masker
        self.kinds = dict(kinds)
        self.themes = themes
        self.theme_ids = frozenset(theme_ids)
        self.topics = topics
        self.topic_ids = frozenset(topic_ids)

    @classmethod
    def for_view(
        cls,
        model: IntentModel,
        view: KnowledgeBase,
        themes: IntentModel | None = None,
        norm: Callable[[str], Tokens] | None = None,
        topics: IntentModel | None = None,
    ) -> IntentScorer:
        """`norm`: the matcher's normalised names of this view (Masker.from_knowledge)."""
        kinds = {intent.id: intent.kind for intent in view.intents}
        masker = Masker.from_knowledge(view, norm=norm)
        theme_ids = (theme.id for theme in view.themes)
        return cls(model, masker, kinds, themes, theme_ids, topics, (topic.id for topic in view.topics))

    def scores(self, text: str) -> Scores:
        return self.model.scores(self.masker.tokens(text))

    def theme_scores(self, text: str) -> Scores:
        """The view's themes the question may describe, best first (none without a theme model): a theme the
        model knows but the view no longer holds is left out."""
        return self._held(self.themes, self.theme_ids, text)

    def topic_scores(self, text: str) -> Scores:
        """The view's explainers the question may ask for, best first (none without a topic model)."""
        return self._held(self.topics, self.topic_ids, text)

    def _held(self, model: IntentModel | None, held: frozenset[str], text: str) -> Scores:
        if model is None:
            return Scores(())
        ranked = model.scores(self.masker.tokens(text)).ranked
        return Scores(tuple((entry, p) for entry, p in ranked if entry in held))
