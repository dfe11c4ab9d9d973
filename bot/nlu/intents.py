"""Intent scores: which questions the words ask, from each intent's rules and example phrasings.

A rule is word groups joined by ' + ' ('latest|newest + review'): it matches when every group has one of its
alternatives, and scores by how many groups it needs. Rules are indexed by the words of their smallest group,
so per question only the rules its words touch are tested (set probes, independent of the rule count).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.kb.models import KnowledgeBase, ReplyKind, ResourceKind
from bot.nlu.normalise import Tokens
from bot.nlu.thresholds import PHRASE_CUTOFF, PHRASE_LIMIT, RULE_SCORE_MANY, RULE_SCORES, WEAK_RULE_SCORE
from bot.nlu.types import Ref

RULE_SHOWN = 80
"""Characters of a rule shown by `explain`."""

# Which entry kinds each intent takes, and whether it needs one.
INTENT_TAKES: dict[str, frozenset[str]] = {
    "review": frozenset({"review"}),
    "where_to_read": frozenset({"review", "partnership"}),  # 'where on the LSCPB website are the reviews?'
    "statement": frozenset({"review", "statement"}),
    "theme": frozenset({"theme"}),
    "glossary": frozenset({"term"}),
    "contacts": frozenset({"contact", "partnership"}),
    "framework": frozenset({"resource"}),
    "national_repository": frozenset({"resource", "theme"}),
    "archive": frozenset({"resource"}),
    "how_reviews_work": frozenset({"topic"}),
    "about": frozenset({"partnership"}),
    "latest_reviews": frozenset({"partnership"}),
}
LISTS = {"themes": "theme"}  # intents that list every entry of a kind
NEEDS_ENTRY = frozenset({"review", "theme", "glossary"})
REVIEW_INTENTS = frozenset({"review", "where_to_read", "statement"})
AREA_INTENTS = frozenset({"contacts", "about"})
UNANCHORED_KINDS = frozenset({ReplyKind.URGENT, ReplyKind.FALLBACK})  # they need no entry named to count
RESOURCE_INTENT = {
    ResourceKind.REPOSITORY: "national_repository",
    ResourceKind.ARCHIVE: "archive",
    ResourceKind.FRAMEWORK: "framework",
    ResourceKind.GUIDANCE: "framework",
    ResourceKind.PROCEDURES: "framework",
    ResourceKind.THEMATIC_BRIEFING: "theme",
    ResourceKind.SECTOR_BRIEFING: "theme",
    ResourceKind.WEBSITE: "where_to_read",
}
NATURAL_INTENT = {
    "review": "review",
    "theme": "theme",
    "term": "glossary",
    "contact": "contacts",
    "partnership": "about",
    "topic": "how_reviews_work",
    "statement": "statement",
}
# The kind of entry an action's id names, for intents that take one.
ACTION_KIND = {intent: kind for kind, intent in NATURAL_INTENT.items()} | {
    "where_to_read": "review",
    "statement": "review",
}


def action_for(ref: Ref) -> str | None:
    """The button action that opens an entry, or None for kinds no action can name."""
    intent = NATURAL_INTENT.get(ref.kind)
    return f"{intent}:{ref.id}" if intent and ACTION_KIND.get(intent) == ref.kind else None


@dataclass
class Rule:
    """One compiled rule: its intent, its word groups (normalised), and the rule as written."""

    intent: str
    groups: tuple[tuple[Tokens, ...], ...]
    weak: bool = False
    source: str = ""

    def __post_init__(self) -> None:
        self.sets = tuple(frozenset(group) for group in self.groups)
        self.score = WEAK_RULE_SCORE if self.weak else RULE_SCORES.get(len(self.groups), RULE_SCORE_MANY)

    def position(self, grams: dict[Tokens, int]) -> int | None:
        """Where the rule matches (its earliest word), or None when a group is missing: set probes only."""
        keys = grams.keys()
        for group in self.sets:  # a plain loop: this runs for every rule a question's words touch
            if keys.isdisjoint(group):
                return None
        return min(_first(grams, group) for group in self.sets)

    def within(self, spots: dict[Tokens, list[int]], reach: int) -> bool:
        """Whether one word of every group falls within `reach` neighbouring tokens (`spots`: every place of
        every run of words): 'she said her dad hit her' holds a disclosure, 'the girl who shares the name… the
        HCA told her' twenty words on does not."""
        places = sorted(
            (spot, g)
            for g, group in enumerate(self.sets)
            for alternative in group
            for spot in spots.get(alternative, ())
        )
        last: dict[int, int] = {}
        for spot, g in places:  # the nearest place of every group before each place, walking left to right
            last[g] = spot
            if len(last) == len(self.sets) and spot - min(last.values()) < reach:
                return True
        return False

    def explain(self, grams: dict[Tokens, int]) -> str:
        """The rule as written (shortened) and the words of the question that matched each of its groups."""
        found: list[Tokens] = [min((a for a in g if a in grams), key=grams.__getitem__) for g in self.groups]
        matched = " + ".join(" ".join(words) for words in found)
        written = self.source if len(self.source) <= RULE_SHOWN else self.source[: RULE_SHOWN - 1] + "…"
        return f"'{matched}' (rule '{written}')"


def _first(grams: dict[Tokens, int], group: frozenset[Tokens]) -> int:
    """The earliest position of any of `group` in the question, walking whichever of the two is smaller."""
    if len(group) < len(grams):
        return min(grams[alternative] for alternative in group if alternative in grams)
    return min(spot for gram, spot in grams.items() if gram in group)


def every_place(tokens: Tokens, longest: int) -> dict[Tokens, list[int]]:
    """Every run of up to `longest` consecutive tokens, with all the places it occurs."""
    places: dict[Tokens, list[int]] = defaultdict(list)
    for n in range(1, longest + 1):
        for i in range(len(tokens) - n + 1):
            places[tokens[i : i + n]].append(i)
    return places


def ngrams(tokens: Tokens, longest: int) -> dict[Tokens, int]:
    """Every run of up to `longest` consecutive tokens, with where it first occurs; once per question."""
    grams: dict[Tokens, int] = {}
    for n in range(longest, 0, -1):
        for i in range(len(tokens) - n, -1, -1):
            grams[tokens[i : i + n]] = i
    return grams


class Intents:
    """The intents of one view, their rules compiled and indexed, their phrasings normalised; built once."""

    def __init__(self, view: KnowledgeBase, norm: Callable[[str], Tokens]) -> None:
        self.order = [intent.id for intent in view.intents]
        self.kind_of = {intent.id: intent.kind for intent in view.intents}
        self.vocabulary: set[str] = set()
        """The words of rules and phrasings; a refusal's words ('weather', 'forecast') stay unknown words."""
        self.refusal_words: set[str] = set()
        """The words of refusals' rules: no typo is corrected toward them, and none of them is corrected away."""
        self._rules: list[Rule] = []
        self._phrases: list[str] = []
        self._phrase_intent: list[str] = []
        for intent in view.intents:
            for rule in intent.rules:
                weak = rule.startswith("~")
                groups = tuple(
                    tuple(t for alt in group.split("|") if (t := norm(alt))) for group in rule.lstrip("~ ").split(" + ")
                )
                self._rules.append(Rule(intent.id, groups, weak, rule))
                if intent.kind == ReplyKind.FALLBACK:
                    self.refusal_words.update(t for group in groups for alternative in group for t in alternative)
                    continue
                for group in groups:
                    for alternative in group:
                        self.vocabulary.update(alternative)
            for phrase in intent.phrases:
                tokens = norm(phrase)
                self._phrases.append(" ".join(tokens))
                self._phrase_intent.append(intent.id)
                self.vocabulary.update(tokens)
        self._longest_alternative = max((len(a) for r in self._rules for g in r.groups for a in g), default=1)
        self._rules_by_anchor: dict[Tokens, list[Rule]] = defaultdict(list)
        for compiled in self._rules:  # a rule only matches a question holding one of its smallest group's words
            for alternative in min(compiled.sets, key=len):
                self._rules_by_anchor[alternative].append(compiled)

    def kind(self, intent: str) -> ReplyKind:
        """The reply kind an intent produces (chat for greetings, urgent for concerns)."""
        return self.kind_of.get(intent, ReplyKind.ANSWER)

    def scores(
        self, tokens: Tokens, why: dict[str, tuple[float, str]] | None = None, reach: int | None = None
    ) -> tuple[dict[str, float], dict[str, int]]:
        """Best score per intent, and where in the question each intent was asked; `why` (when given) gets each
        best score with the rule or phrasing behind it. With `reach`, a rule's groups must meet within that
        many tokens."""
        scores: dict[str, float] = {}
        positions: dict[str, int] = {}
        grams = ngrams(tokens, self._longest_alternative)
        candidates = {id(r): r for gram in grams for r in self._rules_by_anchor.get(gram, ())}
        spots: dict[Tokens, list[int]] | None = None  # every place of every run: built for the first rule to check
        for rule in candidates.values():
            spot = rule.position(grams)
            if spot is not None and reach is not None and len(rule.sets) > 1:
                spots = spots if spots is not None else every_place(tokens, self._longest_alternative)
                if not rule.within(spots, reach):
                    continue  # its words lie too far apart
            if spot is not None:  # the best score, and the first place the intent is asked at all
                if why is not None and rule.score > scores.get(rule.intent, 0.0):
                    why[rule.intent] = (rule.score, rule.explain(grams))
                scores[rule.intent] = max(scores.get(rule.intent, 0.0), rule.score)
                positions[rule.intent] = min(positions.get(rule.intent, spot), spot)
        if tokens:
            sentence = " ".join(tokens)
            for _, score, index in process.extract(
                sentence,
                self._phrases,
                scorer=fuzz.ratio,
                processor=None,
                score_cutoff=PHRASE_CUTOFF,
                limit=PHRASE_LIMIT,
            ):
                intent = self._phrase_intent[index]
                if score > scores.get(intent, 0.0):
                    scores[intent] = float(score)
                    positions[intent] = 0
                    if why is not None:
                        why[intent] = (float(score), f"phrasing '{self._phrases[index]}'")
        return scores, positions
