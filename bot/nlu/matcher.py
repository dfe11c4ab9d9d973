"""Understand a question: which entries it names, what it asks for, how sure we are.

Built once per public view (so nothing hidden is ever indexed). Per question the work is: normalise,
correct unknown words against the vocabulary (rapidfuzz, length-bucketed, cached), look up n-grams in an
alias table (a dict probe, independent of the knowledge base's size), test the intent rules (a fixed
set), and score candidates. Under a threshold the bot falls back; when entries tie it asks.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.heap import builds_in_bulk
from bot.kb.models import KnowledgeBase, PublishedDocument, ReplyKind, ResourceKind, Review
from bot.nlu.english import english_words
from bot.nlu.normalise import Synonyms, Tokens, normalise, normalise_words, words
from bot.nlu.other_areas import OTHER_AREAS

THRESHOLD = 65.0
"""Below this confidence the bot does not answer."""
AMBIGUITY_MARGIN = 4.0
"""When two different entries of the same kind score within this margin, ask which was meant."""
PARTNERSHIP_WORDS = frozenset(  # words of a question about the partnerships themselves
    {
        "partnership",
        "board",
        "partner",
        "covered",
        "cover",
        "covers",
        "area",
        "city",
        "county",
        "lscb",
        "lscpb",
        "lrscp",
        "safeguarding",
        "website",
        "who",
        "same",
        "different",
    }
)
ASKING_WHAT = frozenset({"what", "who", "whats"})  # 'What's the LRSCP? Our school is in Oakham' asks about it
HALF_NAME_SHORT = 4  # words: a question this short may half-name a review with no review word in it
UNANCHORED_KINDS = frozenset({ReplyKind.URGENT, ReplyKind.FALLBACK})  # they need no entry named to count
CHOICES = 3  # 'Did you mean …?' offers at most this many

ENTITY_SCORE = 80.0
ENTITY_CORRECTED_SCORE = 74.0
INTENT_WITH_ENTITY_BONUS = 10.0
RULE_SCORES = {1: 70.0, 2: 85.0}
RULE_SCORE_MANY = 92.0
WEAK_RULE_SCORE = 66.0
"""A rule written '~ …': a generic cue ('what was') that supports a named entry but never answers alone
and never decides which of two questions came first."""
PHRASE_CUTOFF = 82.0

STOPWORDS = frozenset(
    """
    a an the of to in on for at by with from and or is are was were be been it its this that these
    those i me my we our you your he she they them their his her do does did can could would should
    will shall please pls hi there any anything some something what which who whom whose when where why
    how about tell give show send get got have has had just also still any more most very really ok
    okay so if not no yes one ones thing stuff
    """.split()
)

MONTHS = tuple("january february march april may june july august september october november december".split())

MAX_SCAN = 500
WORD_TWO_EDITS = 10
NAME_TWO_EDITS = 7
WORD_CACHE_SIZE = 8192
NEVER = 101.0  # above any confidence
NOT_URGENT = "nonemergency"  # what the synonyms make of 'not urgent', 'non-emergency', 'not an emergency'
OPEN_ENDED = frozenset({"since", "after", "before", "until", "prior", "pre", "post"})
REVIEW_DESCRIBERS = frozenset({"national", "local", "serious", "case", "practice", "child", "safeguarding"})
"""Characters of a message scanned for unknown full names."""
NAME_WORDS = frozenset({"child", "baby", "children", "case", "family"})
"""Words that, followed by a single letter, name a case: 'Child F', 'Baby P'."""
BAG_PARTIAL_MIN = 4
"""Names of this many words match when three quarters of their words appear, in any order."""
BAG_COVERAGE = 0.75
BAG_COMMON_WORD_REFS = 3
"""Only words shared by this many entries may be missing from a long name ('council', not 'Rutland')."""
ALIAS_STOPWORDS = frozenset(
    """
    the of to in on for with about from by an is are was were be what which my our their its this that
    please pls tell me show give do does did can could
    """.split()
)
"""Words ignored when matching names, so 'the LLR framework' finds 'LLR framework'. Keeps 'a' and 'and'
(Child A, Child C and D)."""


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
    period: Period | None = None
    """'published in July 2024': the latest publications are those of this month or year."""


class Period(NamedTuple):
    """A month and/or year a question names; either may be missing ('in July', 'in 2024')."""

    year: int | None
    month: int | None

    def holds(self, day: dt.date | None) -> bool:
        return day is not None and self.year in {None, day.year} and self.month in {None, day.month}

    def label(self) -> str:
        return " ".join(p for p in (MONTHS[self.month - 1].title() if self.month else "", str(self.year or "")) if p)


def period_of(tokens: Tokens) -> Period | None:
    """The month and year a question names ('july 2024', 'in 2023'), or None."""
    if any(t in OPEN_ENDED for t in tokens):
        return None  # 'since 2024' is not 'in 2024': everything, newest first, answers it
    month = next((MONTHS.index(t) + 1 for t in tokens if t in MONTHS), None)
    year = next((int(t) for t in tokens if len(t) == 4 and t.isdigit() and 2000 <= int(t) <= 2099), None)
    return Period(year, month) if month or year else None


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
NATURAL_PENALTY = {
    "review": 0.0,
    "theme": 0.0,
    "contact": 0.0,
    "statement": 0.0,
    "resource": 1.0,
    "term": 2.0,
    "topic": 2.0,
    "partnership": 3.0,
}
"""Entry kinds named alone: a review name outranks a glossary word that happens to appear beside it."""
UNKNOWN_WORD_PENALTY = 5.0
"""A name alone in a sentence of words we do not know ('Coventry SCR Daniel Pelka') is not a question for us."""
FIRST_QUESTION_WINDOW = 15.0
"""How close a second answer must score for the order of the questions to decide between them."""
UNUSED_ENTRY_PENALTY = 15.0
"""An intent that could have used the named entries but did not is probably not what was asked."""
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


SINCE_WORDS = frozenset({"since", "after", "than", "still"})
RECENCY_WORDS = frozenset({"latest", "newest", "recent", "recently", "new", "last", "lately", "current"})
PLURAL_REVIEW_WORDS = frozenset(
    {
        "reviews",
        "lcsprs",
        "lscprs",
        "csprs",
        "scrs",
        "briefings",
        "reports",
        "publications",
        "documents",
        "cases",
        "ones",
    }
)
SINGULAR_DETERMINERS = frozenset({"the", "that", "this", "her", "his", "their"})
DETERMINER_REACH = 3  # how far 'the' may stand from the review word it picks: 'the 2024 Leicester LCSPR'

AREA_CONTEXT = frozenset(
    {
        "review",
        "briefing",
        "report",
        "lcspr",
        "lscpr",
        "cspr",
        "scr",
        "partnership",
        "board",
        "lscb",
        "lscp",
        "safeguarding",
        "council",
        "panel",
        "inquiry",
        "recommendation",
        "finding",
        "learning",
        "duty",
        "number",
        "referral",
        "form",
        "mash",
        "procedure",
        "threshold",
    }
)

CHILD_AGE_LIMIT = 18  # 'girl 14' is a child's age; 'child 2024' is not
NOW_WORDS = frozenset({"tonight", "now", "today", "currently"})
ORIGIN_WORDS = frozenset(
    {"here", "moved", "relocated", "moving", "relocating", "transferring", "transferred", "originally"}
)  # 'new to the area from Wales': where from

# A question holding one of these asks about learning, unless it also points at one child (below).
LEARNING_WORDS = frozenset(
    {
        "learning",
        "lesson",
        "review",
        "briefing",
        "training",
        "assembly",
        "cpd",
        "theme",
        "research",
        "slide",
        "scr",
        "cspr",
        "lcspr",
        "lscpr",
        "teaching",
        "procedure",
        "policy",
        "guidance",
        "section",
        "protocol",
        "published",
        "publish",
    }
)
ONE_CHILD = frozenset(
    {
        "she",
        "he",
        "her",
        "him",
        "his",
        "hers",
        "herself",
        "himself",
        "disclosed",
        "disclosing",
    }  # not 'disclosures': 'what do reviews say about disclosures' asks about many
)
LAW_QUESTIONS = (
    "is it legal",
    "is it illegal",
    "is it against the law",
    "what is the law",
    "what does the law say",
    "legally",
    "legal age",
    "what age can",
    "at what age",
    "how old doe",
    "how old do",
    "how old should",
)
ONE_CHILD_DETERMINERS = frozenset({"a", "an", "this", "one", "my", "our", "that", "the"})
CHILD_NOUNS = frozenset(
    {
        "child",
        "kid",
        "pupil",
        "student",
        "baby",
        "boy",
        "girl",
        "toddler",
        "infant",
        "teen",
        "teenager",
        "son",
        "daughter",
        "newborn",
        "lad",
        "sibling",
    }
)
CHILD_WORDS = CHILD_NOUNS | {  # words that put a child in the story, pointed at or not
    "children",
    "grandson",
    "granddaughter",
    "grandchild",
    "niece",
    "nephew",
    "stepson",
    "stepdaughter",
    "yp",
    "year",
    "month",
    "week",  # 'year old', as normalisation spells '14yo' and '(7)'-style ages
}
# What a worried person says happened: harm, danger, neglect, exploitation, a carer not able to care. Only read
# in a message that points at one child and asks for nothing the bot holds (see Matcher._tells_of_a_child).
CONCERN_WORDS = frozenset(
    """abuse abused abusing assault assaulted attack attacked beat beaten beating begging belt bite bitten bleeding
    blood bruise bruised bruising burn burnt burned cigarette cig cold court cut cutting danger dangerous dirty drink
    drinking drunk drug drugged dealer dealing weed cannabis vodka alcohol needle overdose high slurring stoned
    fracture fractured grab grabbed groom groomed grooming hit hitting hotel hurt hurting injury injured kick kicked
    kill knife ligature lock locked locks breathing breathe unresponsive man men male older adult stranger boyfriend
    missing naked neck nappy
    neglect neglected nobody alone owe owes punch punched rape raped scared scream screaming shout shouting shut
    slap slapped smack smacked starving hungry strangle strangled suicide suicidal terrified threat threaten
    threatened threatening touch touched touching unconscious unsafe violent violence weapon worried worry
    frightened afraid crying cry cries wet filthy smelly unwashed arrested police released secret secrets
    sweets gifts money phone snapchat photo picture video videos car van taxi night late 1am 2am 3am""".split()
)
CHILD_COMPOUNDS = frozenset(
    {"protection", "safeguarding", "abuse", "sexual", "death", "care", "benefit", "exploitation", "practice", "one"}
)
UNIT_WORDS = frozenset({"unit", "team", "investigation", "department", "service", "hub"})
ASKING = frozenset({"you", "u", "please", "pls"})  # 'can you tell me', 'please tell me': a request to the bot
AREA_WORD = re.compile(r"\(the (\w+)\)")  # a partnership's area 'Leicester (the city)' gives the word 'city'
AREA_INTENTS = frozenset({"contacts", "about"})
MORE_WORDS = frozenset({"etc", "else", "other"})  # 'neglect, DA, what else?': the ones named are examples
EXAMPLE_WORDS = frozenset({"eg", "like", "including", "incl"})  # 'which themes, eg neglect' gives examples
OWN_CHILDREN = frozenset({"my", "our", "his", "her", "their", "these", "those"})
GENERIC_BEFORE = frozenset({"if", "when", "whenever", "where", "after", "before"})  # 'when a child dies' is any child

GENERIC_REVIEW_WORDS = frozenset(
    {"review", "briefing", "report", "case", "lcspr", "lscpr", "cspr", "scr", "publication", "document", "serious"}
)
ONE_DOCUMENT_WORDS = frozenset(  # not 'case': 'the case management system' is no document
    {
        "review",
        "briefing",
        "report",
        "lcspr",
        "lscpr",
        "cspr",
        "scr",
        "publication",
        "document",
        "foreword",
        "statement",
    }
)
SAY_WORDS = frozenset({"say", "said", "saying", "comment", "commented", "think", "thought"})
CONTENT_WORDS = frozenset(  # what one document holds: 'what's the learning from the LCSPR' asks about one review
    {"learning", "lesson", "point", "finding", "about", "recommendation", "summary", "happened", "outcome", "gist"}
)
ANY_REVIEW = frozenset({("a", "case"), ("a", "review"), ("any", "review")})
NAME_REACH = 5  # 'the national review into the death of Arthur Labinjo-Hughes'
ABOUT_SOMEONE = frozenset({("about",), ("into",), ("of",), ("on",), ("re",)})  # 'a review about/into X Y'
NAMED_ROLES = frozenset({"gp", "dsl", "hv", "sw", "lead", "nurse", "doctor", "professional", "person"})
ADDRESS_WORDS = frozenset({"st", "street", "road", "rd", "lane", "avenue", "ave", "way", "close", "station"})
CASE_WORDS = GENERIC_REVIEW_WORDS | {"panel", "inquiry", "finding"}  # 'Star Hobson national panel findings'
PROCESS_WORDS = CASE_WORDS | {"process", "procedure", "criteria", "notify", "notification", "decide", "decides"}


@dataclass
class _Rule:
    intent: str
    groups: tuple[tuple[Tokens, ...], ...]
    weak: bool = False

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


def _first(grams: dict[Tokens, int], group: frozenset[Tokens]) -> int:
    """The earliest position of any of `group` in the question, walking whichever of the two is smaller."""
    if len(group) < len(grams):
        return min(grams[alternative] for alternative in group if alternative in grams)
    return min(spot for gram, spot in grams.items() if gram in group)


def ngrams(tokens: Tokens, longest: int) -> dict[Tokens, int]:
    """Every run of up to `longest` consecutive tokens, with where it first occurs; once per question."""
    grams: dict[Tokens, int] = {}
    for n in range(longest, 0, -1):
        for i in range(len(tokens) - n, -1, -1):
            grams[tokens[i : i + n]] = i
    return grams


@dataclass
class _Index:
    aliases: dict[Tokens, set[Ref]] = field(default_factory=lambda: defaultdict(set))
    bags: dict[str, list[tuple[frozenset[str], Ref]]] = field(default_factory=lambda: defaultdict(list))
    partial: dict[str, set[Ref]] = field(default_factory=lambda: defaultdict(set))
    vocabulary: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)


def alias_key(tokens: Tokens) -> Tokens:
    """The words of a name that matter for matching it."""
    return tuple(t for t in tokens if t not in ALIAS_STOPWORDS)


class Matcher:
    """Fuzzy understanding over one public view of the knowledge base."""

    @builds_in_bulk
    def __init__(self, view: KnowledgeBase, home_partnership: str | None = None) -> None:
        self.synonyms = Synonyms((s.canonical, s.variants) for s in view.synonyms)
        self._norm_word = lru_cache(maxsize=WORD_CACHE_SIZE)(self.norm)  # single words recur across questions
        self._english = english_words()
        self._index = _Index()
        self._intent_order = [intent.id for intent in view.intents]
        self._intent_kind = {intent.id: intent.kind for intent in view.intents}
        self._rules: list[_Rule] = []
        phrases: list[str] = []
        self._phrase_intent: list[str] = []
        for intent in view.intents:
            for rule in intent.rules:
                weak = rule.startswith("~")
                groups = tuple(
                    tuple(t for alt in group.split("|") if (t := self.norm(alt)))
                    for group in rule.lstrip("~ ").split(" + ")
                )
                self._rules.append(_Rule(intent.id, groups, weak))
                if intent.kind == ReplyKind.FALLBACK:
                    continue  # a refusal's words ('weather', 'forecast') are not the domain's: they stay unknown words
                for group in groups:
                    for alternative in group:
                        self._index.vocabulary.update(alternative)
            for phrase in intent.phrases:
                tokens = self.norm(phrase)
                phrases.append(" ".join(tokens))
                self._phrase_intent.append(intent.id)
                self._index.vocabulary.update(tokens)
        self._phrases = phrases
        self._longest_alternative = max((len(a) for r in self._rules for g in r.groups for a in g), default=1)
        self._rules_by_anchor: dict[Tokens, list[_Rule]] = defaultdict(list)
        for compiled in self._rules:  # a rule only matches a question holding one of its smallest group's words
            for alternative in min(compiled.sets, key=len):
                self._rules_by_anchor[alternative].append(compiled)
        self._other_areas = {self.norm(area) for area in OTHER_AREAS} - {()}
        self._other_area_lengths = sorted({len(area) for area in self._other_areas})
        self._home_area_words = frozenset(
            t
            for p in view.partnerships
            for name in (p.name, p.short_name, *p.aliases)
            for t in self.norm(name)
            if t not in STOPWORDS and t not in AREA_CONTEXT and t not in {"children", "child", "city", "county"}
        )
        self._area_words = {  # 'Leicester (the city)': 'the city and the county' names both partnerships' areas
            found.group(1): p.id for p in view.partnerships if (found := AREA_WORD.search(p.area))
        }
        self._topic_phrases = [" ".join(self.norm(a)) for t in view.topics for a in (t.title, *t.aliases)]
        self._topic_of_phrase = [t.id for t in view.topics for _ in (t.title, *t.aliases)]
        self._build_entities(view)
        self.home_partnership = home_partnership or next((p.id for p in view.partnerships if p.home), None)
        self._review_partnership = {r.id: r.partnership for r in view.reviews}
        self._partnerships_with_reviews = frozenset(self._review_partnership.values())
        self._by_length: dict[int, list[str]] = defaultdict(list)
        self._names_by_length: dict[int, list[str]] = defaultdict(list)
        for word in sorted(self._index.vocabulary):
            if len(word) >= 3 and not word.isdigit():
                self._by_length[len(word)].append(word)
                if word in self._index.names:
                    self._names_by_length[len(word)].append(word)
        self._longest_alias = max((len(k) for k in self._index.aliases), default=1)
        self._alias_refs = {key: tuple(sorted(refs)) for key, refs in self._index.aliases.items()}  # sorted once
        self._correct = lru_cache(maxsize=8192)(self._correct_uncached)
        self._frozen_vocabulary = frozenset(self._index.vocabulary)

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every normalised word the knowledge base and the rules use (for redaction of unknown words)."""
        return self._frozen_vocabulary

    def intent_kind(self, intent: str) -> ReplyKind:
        """The reply kind an intent produces (chat for greetings, urgent for concerns)."""
        return self._intent_kind.get(intent, ReplyKind.ANSWER)

    # ----- building -------------------------------------------------------------------------------
    def norm(self, text: str) -> Tokens:
        return normalise(text, self.synonyms)

    def _alias(self, ref: Ref, names: Iterable[str], local: bool = False) -> None:
        """Index names of an entry; `local` (home partnership's reviews) also feeds short-typo correction."""
        for name in names:
            tokens = self.norm(name)
            key = alias_key(tokens)
            if not key:
                continue
            self._index.aliases[key].add(ref)
            self._index.vocabulary.update(tokens)
            if local:
                self._index.names.update(key)
            if len(set(key)) >= 2 and all(len(t) >= 3 for t in key):
                self._pending_bags.append((frozenset(key), ref))

    def _index_bags(self) -> None:
        """Index long names by their rarest words, so 'framework for LLR reviews' finds 'LLR framework'
        with a few dict probes per question word, however many names there are."""
        frequency: dict[str, int] = defaultdict(int)
        refs_with: dict[str, set[Ref]] = defaultdict(set)
        for bag, ref in self._pending_bags:
            for token in bag:
                frequency[token] += 1
                refs_with[token].add(ref)
        for bag, ref in self._pending_bags:
            keys = sorted(bag, key=lambda t: (frequency[t], t))[: 1 if len(bag) < BAG_PARTIAL_MIN else 2]
            for key in keys:
                self._index.bags[key].append((bag, ref))
        self._shared_words = frozenset(t for t, refs in refs_with.items() if len(refs) >= BAG_COMMON_WORD_REFS)
        self._pending_bags.clear()

    def _build_entities(self, view: KnowledgeBase) -> None:
        self._pending_bags: list[tuple[frozenset[str], Ref]] = []
        self._resource_intent = {r.id: RESOURCE_INTENT[r.kind] for r in view.resources}
        home = next((p.id for p in view.partnerships if p.home), None)
        ranked = sorted(view.reviews, key=lambda r: (r.partnership != home, -latest_date(r).toordinal()))
        self._recent_refs = [Ref("review", r.id) for r in ranked]  # home partnership first, newest first
        self._recency = {ref: rank for rank, ref in enumerate(self._recent_refs)}
        self._weak = {Ref("theme", t.id) for t in view.themes if t.sector}
        by_name: dict[Tokens, list[Ref]] = defaultdict(list)
        by_type: dict[str, list[str]] = defaultdict(list)
        for review in view.reviews:
            ref = Ref("review", review.id)
            self._alias(ref, [review.name, *review.aliases], local=review.partnership == home)
            name = self.norm(review.name)
            by_name[alias_key(name)].append(ref)
            by_type[review.review_type].append(review.id)
            for token in name:
                if token not in STOPWORDS and token not in GENERIC_REVIEW_WORDS and len(token) > 1:
                    self._index.partial[token].add(ref)
            for doc in review.documents:
                if isinstance(doc, PublishedDocument) and doc.published_on is not None:
                    day, month, year = doc.published_on.day, MONTHS[doc.published_on.month - 1], doc.published_on.year
                    self._index.partial[month].add(ref)
                    self._index.partial[str(year)].add(ref)
                    self._index.vocabulary.add(month)
                    if review.partnership == home:  # 'what came out on 17 July 2024?' names the review (dates
                        # are spelled one way by the normaliser: '17/07/24' and '17th Jul' read the same)
                        for key in ((str(day), month, str(year)), (str(day), month), (month, str(day))):
                            self._index.aliases[key].add(ref)
        for theme in view.themes:
            self._alias(Ref("theme", theme.id), [theme.name, *theme.aliases])
        for term in view.terms:
            self._alias(Ref("term", term.id), [*term.aliases])
        for resource in view.resources:
            if resource.kind in {ResourceKind.THEMATIC_BRIEFING, ResourceKind.SECTOR_BRIEFING}:
                continue  # reached through their theme
            self._alias(Ref("resource", resource.id), [resource.title, *resource.aliases])
        for contact in view.contacts:
            self._alias(Ref("contact", contact.id), [contact.name, *contact.aliases])
        for partnership in view.partnerships:
            self._alias(
                Ref("partnership", partnership.id), [partnership.name, partnership.short_name, *partnership.aliases]
            )
        # Topics are not names: their aliases are whole questions, matched in _topic() once the intent is known.
        for statement in view.statements:
            self._alias(Ref("statement", statement.id), [statement.by, *statement.by.split()])
        self._index_bags()
        # Half-naming words ('child', 'july') only point at the home partnership's reviews: among thousands of
        # other partnerships' reviews they would point everywhere.
        local = {Ref("review", r.id) for r in view.reviews if home is None or r.partnership == home}
        self._local = frozenset(local)
        self._local_recent = tuple(ref for ref in self._recent_refs if ref in self._local)  # newest first
        self._statement_review = {s.id: s.review for s in view.statements}
        said = {Ref("review", s.review) for s in view.statements}
        self._said_reviews = tuple(self._by_recency(said & self._local or said))  # home partnership's first
        self._all_said = tuple(self._by_recency(said))
        self._published_days = {
            Ref("review", r.id): [d.published_on for d in r.documents if isinstance(d, PublishedDocument)]
            for r in view.reviews
        }
        self._first_local_year = min(
            (day.year for ref in self._local for day in self._published_days.get(ref, ()) if day), default=None
        )
        self._partial_ranks = {
            token: sorted(self._recency[ref] for ref in refs if ref in local)
            for token, refs in self._index.partial.items()
        }
        groups = [frozenset(refs) for refs in by_name.values() if len(refs) > 1]
        self._same_name = {ref: group for group in groups for ref in group}
        self._single_review_of_type = {t: ids[0] for t, ids in by_type.items() if len(ids) == 1}

    # ----- per question ---------------------------------------------------------------------------
    def _correct_uncached(self, token: str, names_a_letter: bool = False) -> str | None:
        """The vocabulary word a typo was meant to be, or None when nothing is close enough.

        One edit (a transposition counts as one); two for words of ten letters or more, since shorter real words
        sit two edits apart ('discussed', 'disclosed'). Toward the home partnership's review names, two edits
        from seven letters ('patrisha' -> 'patricia'); four-letter words only toward those names ('cild').
        An English word is left alone unless only its ending slipped ('disguise' -> 'disguised'), or it stands
        before a single letter and becomes a review name's word ('chid e' -> 'child e'). A four-letter word that
        is no English word may swap two neighbouring letters: acronyms are typed fast ('cpsr' -> 'cspr')."""
        if len(token) < 4 or any(ch.isdigit() for ch in token) or token in STOPWORDS:
            return None
        if len(token) == 4 and token not in self._english:
            swapped = (token[:i] + token[i + 1] + token[i] + token[i + 2 :] for i in range(3))
            known = next((word for word in swapped if word in self._index.vocabulary), None)
            if known is not None:
                return known
        passes = [(self._names_by_length, 2 if len(token) >= NAME_TWO_EDITS else 1)]
        if len(token) > 4:
            passes.append((self._by_length, 2 if len(token) >= WORD_TWO_EDITS else 1))
        best: tuple[int, str] | None = None
        for buckets, allowed in passes:
            for length in range(len(token) - allowed, len(token) + allowed + 1):
                choices = buckets.get(length)
                if not choices:
                    continue
                found = process.extractOne(token, choices, scorer=OSA.distance, processor=None, score_cutoff=allowed)
                if found is None:
                    continue
                candidate = (int(found[1]) + (0 if found[0][0] == token[0] else 1), found[0])
                if candidate[0] <= allowed and (best is None or candidate < best):
                    best = candidate
        if best is None:
            return None
        slipped = best[1].startswith(token) or (names_a_letter and best[1] in self._index.names)
        return best[1] if token not in self._english or slipped else None  # 'leaving' is not 'learning'

    def tokens(self, text: str) -> tuple[Tokens, frozenset[int]]:
        """Normalised tokens with typos corrected, and the positions that were corrected."""
        return self._corrected(self.norm(text))

    def _corrected(self, raw: Tokens) -> tuple[Tokens, frozenset[int]]:
        out: list[str] = []
        corrected: set[int] = set()
        for i, token in enumerate(raw):
            if token in self._index.vocabulary or token in STOPWORDS:
                out.append(token)
                continue
            before_letter = i + 1 < len(raw) and len(raw[i + 1]) == 1 and raw[i + 1].isalpha()
            fixed = self._correct(token, before_letter)  # 'chid e': a name, though 'chid' is a word
            if fixed is None:
                out.append(token)
            else:
                out.append(fixed)
                corrected.add(i)
        return tuple(out), frozenset(corrected)

    def _hits(self, tokens: Tokens, corrected: frozenset[int]) -> list[Hit]:
        """Entries named in the question: exact names longest first, then long names in any word order."""
        content = [i for i, t in enumerate(tokens) if t not in ALIAS_STOPWORDS]
        words = [tokens[i] for i in content]
        hits: list[Hit] = []
        k = 0
        while k < len(words):
            for n in range(min(self._longest_alias, len(words) - k), 0, -1):
                refs = self._alias_refs.get(tuple(words[k : k + n]))
                if refs:
                    positions = frozenset(content[k : k + n])
                    is_corrected = bool(positions & corrected)
                    hits.extend(Hit(ref, positions, is_corrected) for ref in refs)
                    k += n
                    break
            else:
                k += 1
        return self._bag_hits(tokens, content, hits, corrected)

    def _bag_hits(self, tokens: Tokens, content: list[int], hits: list[Hit], corrected: frozenset[int]) -> list[Hit]:
        """Add names found as words in any order; a longer name replaces shorter names it contains."""
        position = {tokens[i]: i for i in content}
        order = {i: k for k, i in enumerate(content)}
        seen = {h.ref for h in hits}
        spans = {h.positions for h in hits}  # many namesakes share one place: check each place once
        found: list[Hit] = []
        for word in list(position):
            for bag, ref in self._index.bags.get(word, ()):
                if ref in seen:
                    continue
                present = [t for t in bag if t in position]
                if any(frozenset(position[t] for t in present) <= span for span in spans):
                    continue  # inside a longer name already found ('serious case review' in 'baby serious case review')
                if len(bag) >= BAG_PARTIAL_MIN:
                    missing = bag.difference(present)
                    ok = len(present) >= BAG_COVERAGE * len(bag) and missing <= self._shared_words
                else:
                    spots = sorted(order[position[t]] for t in present)
                    ok = len(present) == len(bag) and spots[-1] - spots[0] <= 2 * len(bag) - 3
                if ok:
                    spot = frozenset(position[t] for t in present)
                    found.append(Hit(ref, spot, bool(spot & corrected) or len(present) < len(bag)))
                    seen.add(ref)
        if not found:
            return hits
        kept = [h for h in hits if not any(h.positions < f.positions for f in found)]
        return kept + found

    def _intent_scores(self, tokens: Tokens) -> tuple[dict[str, float], dict[str, int]]:
        """Best score per intent, and where in the question each intent was asked."""
        scores: dict[str, float] = {}
        positions: dict[str, int] = {}
        grams = ngrams(tokens, self._longest_alternative)
        candidates = {id(r): r for gram in grams for r in self._rules_by_anchor.get(gram, ())}
        for rule in candidates.values():
            spot = rule.position(grams)
            if spot is not None:  # the best score, and the first place the intent is asked at all
                scores[rule.intent] = max(scores.get(rule.intent, 0.0), rule.score)
                positions[rule.intent] = min(positions.get(rule.intent, spot), spot)
        if tokens:
            sentence = " ".join(tokens)
            for _, score, index in process.extract(
                sentence, self._phrases, scorer=fuzz.ratio, processor=None, score_cutoff=PHRASE_CUTOFF, limit=5
            ):
                intent = self._phrase_intent[index]
                if score > scores.get(intent, 0.0):
                    scores[intent] = float(score)
                    positions[intent] = 0
        return scores, positions

    def _is_english(self, token: str) -> bool:
        """An everyday word, also as a folded plural: 'lots' became 'lot', which is no first name."""
        return token in self._english or f"{token}s" in self._english

    def _names_someone_else(self, text: str, tokens: Tokens, hits: list[Hit]) -> bool:
        """'the Arthur Labinjo-Hughes review': a full name we do not know, beside a review word, is another
        area's case. Typed in lower case it must sit right before the review words ('daniel pelka serious
        case review'), so 'my manager wants the latest review' is not mistaken for a name."""
        if any(h.ref.kind == "review" for h in hits) or not any(t in CASE_WORDS for t in tokens):
            return False
        words = text[:MAX_SCAN].split()
        normed = [self._norm_word(word) for word in words]
        unknown = [  # a word with a digit ('7 min briefing', 'Y7') is never part of a name
            bool(n)
            and not any(ch.isdigit() for ch in word)
            and all(t not in self._index.vocabulary and t not in STOPWORDS for t in n)
            for word, n in zip(words, normed, strict=True)
        ]
        stranger = [word[0].isupper() and u for word, u in zip(words, unknown, strict=True)]
        # a name has a word that is no everyday word ('pelka', 'hobson'): 'dissertation lit review' is not one
        english = [all(self._is_english(t) for t in n) for n in normed]
        address = [any(t in ADDRESS_WORDS for t in n) for n in normed]  # 'Euston St' is where someone works
        near_review = [any(t in CASE_WORDS for t in n) for n in normed]
        describing = [all(t in GENERIC_REVIEW_WORDS or t in REVIEW_DESCRIBERS for t in n) for n in normed]
        for i in range(len(words) - 1):
            if address[i + 1] or (english[i] and english[i + 1]):
                continue
            if stranger[i] and stranger[i + 1] and any(near_review[max(0, i - NAME_REACH) : i + 5]):
                return True  # 'Star Hobson review', 'review of Daniel Pelka' - not 'I'm Sarah Jones, any new reviews?'
            if (
                unknown[i]
                and unknown[i + 1]
                and i > 0
                and normed[i - 1] in ABOUT_SOMEONE
                and any(near_review[max(0, i - 3) : i - 1])
            ):
                return True  # 'is there a review about arthur labinjo-hughes'
            if unknown[i] and unknown[i + 1]:
                after = i + 2
                while after < len(words) and describing[after] and not near_review[after]:
                    after += 1
                if after < len(words) and near_review[after]:
                    return True
        return False

    def _names_other_area(self, tokens: Tokens, hits: list[Hit]) -> bool:
        """'Nottingham City CSPR 2023', 'Nottingham SCR baby 2022': reviews or a partnership of an area we do
        not cover, even when our own reviews answer to the same description; not when our area is named too."""
        if not any(t in AREA_CONTEXT for t in tokens) or any(t in self._home_area_words for t in tokens):
            return False
        moved = any(t in ORIGIN_WORDS for t in tokens) or ("new", "to") in itertools.pairwise(tokens)
        if "national" in tokens or moved:
            return False  # 'where do I find other areas' reviews?', 'just moved here from Derby': not about there
        return any(
            tokens[i : i + n] in self._other_areas for n in self._other_area_lengths for i in range(len(tokens) - n + 1)
        )

    def _names_review_of_partnership_without_any(self, tokens: Tokens, hits: list[Hit]) -> bool:
        """'The Rutland review about the boy in Oakham': a review of a partnership we hold no reviews for. Said
        before any of our reviews is named, it is what the question is about ('the Leicestershire and Rutland
        review about baby Jack'); said after, it only wonders whose review ours is."""
        first_review = min((min(h.positions) for h in hits if h.ref.kind == "review"), default=len(tokens))
        return any(
            h.ref.kind == "partnership"
            and h.ref.id not in self._partnerships_with_reviews
            and max(h.positions) < first_review
            and any(t in ONE_DOCUMENT_WORDS for t in tokens[max(h.positions) + 1 : max(h.positions) + 3])
            for h in hits
        )

    def _ends_name(self, following: Tokens) -> bool:
        """After 'Child A': the end, 'and', 'in', 'from', a review word or an area closes a name ('Child A
        Leicestershire LCSPR', 'Child A in Rutland'); any other word means 'a' was the article ('child a lot')."""
        return (
            not following
            or following[0] in {"and", "in", "from"}
            or following[0] in CASE_WORDS
            or (following[0] in self._home_area_words)
        )

    def _names_unknown_review(self, tokens: Tokens, hits: list[Hit]) -> bool:
        """'Child F' or 'Baby P' when no review is called that: a name we do not hold, not a typo of one we do;
        'a child called Jayden' when no review is."""
        named = {i for hit in hits if hit.ref.kind == "review" for i in hit.positions}
        if not named and any(
            a in {"called", "named"}
            and b not in self._index.vocabulary
            and b not in STOPWORDS
            and b.isalpha()
            and not (a == "named" and (self._is_english(b) or b in NAMED_ROLES))  # 'our named GP' is a role
            for a, b in itertools.pairwise(tokens)
        ):
            return True
        if any(  # 'Baby Jayden', 'child Kayleigh': a first name we do not hold
            tokens[i] in NAME_WORDS
            and len(tokens[i + 1]) > 2
            and tokens[i + 1].isalpha()
            and i + 1 not in named
            and tokens[i + 1] not in self._index.vocabulary
            and not self._is_english(tokens[i + 1])
            and tokens[i + 1] not in STOPWORDS
            for i in range(len(tokens) - 1)
        ):
            return True
        return any(self._letter_name_at(tokens, i) and i + 1 not in named for i in range(len(tokens) - 1))

    def _letter_name_at(self, tokens: Tokens, i: int) -> bool:
        """'Child F', 'Baby P' at `i`: a name word and a letter. 'a' and 'i' only where a name ends ('Child A
        and B'), not as words ('a child i visited', 'child a lot')."""
        letter = tokens[i + 1]
        return (
            tokens[i] in NAME_WORDS
            and len(letter) == 1
            and letter.isalpha()
            and (letter not in {"a", "i"} or self._ends_name(tokens[i + 2 : i + 3]))
        )

    def match(self, text: str) -> Match:
        """Understand one question. Never raises for any text."""
        bare = words(text)
        tokens, corrected = self._corrected(normalise_words(bare, self.synonyms))
        if not tokens:
            return Match(ReplyKind.CHAT, "help", confidence=100.0)
        scores, positions = self._intent_scores(tokens)
        named = self._hits(tokens, corrected)
        masked = self._masked(tokens, named)
        urgency = self._urgency(tokens, masked, scores)
        if urgency < RULE_SCORES[1] and self._tells_of_a_child(masked, scores):
            urgency = RULE_SCORES[1]  # a story about a child that asks for nothing we hold: treat it as a concern
        refusal = max((s for i, s in scores.items() if self._intent_kind.get(i) == ReplyKind.FALLBACK), default=0.0)
        refused = refusal >= RULE_SCORES[2]
        if refused and refusal >= urgency and not any(t in ONE_CHILD for t in tokens):
            urgency = 0.0  # a refusal at least as sure as the concern: 'what's the real name of the child in ...'
        # (a concern stated more surely than the refusal stays urgent: a missed child at risk is the worst error)
        needed = NEVER if NOT_URGENT in tokens else RULE_SCORES[1]  # 'not an emergency, just asking': contacts
        if urgency >= needed and not self._asks_for_learning(masked, scores, named):
            return Match(ReplyKind.URGENT, "urgent", confidence=urgency)
        scores.pop("urgent", None)
        if refused:
            return Match(ReplyKind.FALLBACK, None)  # 'what is the real name of the child in ...': never
        hits, alternatives, clash = self._resolve_same_names(named)
        plural = self._plural_documents(bare)  # 'the older SCRs' names no one review
        if clash:
            return Match(ReplyKind.CLARIFY, None, confidence=THRESHOLD - AMBIGUITY_MARGIN, choices=clash[:3])
        if self._names_other_area(tokens, hits):
            asks_where = max(scores.get("where_to_read", 0.0), scores.get("national_repository", 0.0))
            any_review = plural or bool(ANY_REVIEW & set(itertools.pairwise(tokens)))  # 'a case review from Birmingham'
            if asks_where >= RULE_SCORES[2] and any_review and not self._names_unknown_review(tokens, hits):
                # 'where do I read Birmingham's reviews?': the national repository holds every area's
                return Match(ReplyKind.ANSWER, "national_repository", confidence=RULE_SCORES[2])
            return Match(ReplyKind.FALLBACK, None, unknown_review=True)
        if (
            self._names_unknown_review(tokens, hits)
            or self._names_someone_else(text, tokens, hits)
            or self._names_review_of_partnership_without_any(tokens, named)
        ):
            return Match(ReplyKind.FALLBACK, None, unknown_review=True)
        candidates = self._candidates(tokens, scores, positions, hits, plural)
        named_themes = [h for h in hits if h.ref.kind == "theme" and not self._is_weak(h)]
        if scores.get("themes", 0.0) >= RULE_SCORES[2] and _only_examples(tokens, named_themes):
            return Match(ReplyKind.ANSWER, "themes", confidence=scores["themes"])  # 'which themes, eg neglect, DA'
        if candidates and candidates[0].score >= THRESHOLD:
            match = self._answer(self._first_mentioned(candidates), candidates, tokens, hits, plural)
            if match.intent in AREA_INTENTS:
                match = self._with_areas(match, tokens)
            if alternatives and match.kind == ReplyKind.ANSWER and any(r.kind == "review" for r in match.refs):
                match = replace(match, alternatives=alternatives)
            return match
        return self._partial(tokens, hits, plural)

    def _answer(
        self, best: _Candidate, candidates: list[_Candidate], tokens: Tokens, hits: list[Hit], plural: bool
    ) -> Match:
        """The confident candidate as a Match, unless the review it is about is left unsaid: then a month's
        reviews ('links to the July 2024 reviews'), the one that fits, or 'Did you mean …?'."""
        reviewless = (best.intent in REVIEW_INTENTS or (best.intent == "glossary" and not best.asked)) and not any(
            h.ref.kind == "review" for h in best.hits
        )
        period = period_of(tokens)
        if reviewless and plural and period is not None and best.intent in REVIEW_INTENTS:
            fitting = self._published_in(period)
            if fitting:
                return Match(ReplyKind.ANSWER, best.intent, fitting, round(best.score, 1))
        if self._one_review_unnamed(best, tokens, hits, plural, period):
            fitting = self._published_in(period) if period is not None else ()
            if len(fitting) == 1:  # 'the 2023 LCSPR - what was it about?' when one review came out in 2023
                return Match(ReplyKind.ANSWER, "review", fitting, round(best.score, 1))
            return Match(
                ReplyKind.CLARIFY,
                None,
                confidence=best.score - AMBIGUITY_MARGIN,
                choices=fitting[:3] or self._recent_reviews(),
            )
        covered = {p for h in hits for p in h.positions}
        choices = self._half_named(tuple(t for i, t in enumerate(tokens) if i not in covered)) if reviewless else ()
        if reviewless and not choices and best.intent != "glossary":
            choices = self._unnamed_review_choices(tokens, best, hits, plural)
        if len(choices) == 1 and best.score >= RULE_SCORES[2] and best.intent in REVIEW_INTENTS:
            # 'what did the chair say about the baby': one review fits, and the question is clear
            best = replace(best, hits=(Hit(choices[0], frozenset(), corrected=True),))
            return self._decide(best, candidates, tokens)
        if choices:
            return Match(ReplyKind.CLARIFY, None, confidence=best.score - AMBIGUITY_MARGIN, choices=choices)
        asks_what_was_said = any(t in SAY_WORDS for t in tokens)  # not 'chair statement': that lists them
        if best.intent == "statement" and reviewless and not plural and period is None and asks_what_was_said:
            named_statements = {
                Ref("review", self._statement_review[h.ref.id])
                for h in best.hits
                if h.ref.kind == "statement" and h.ref.id in self._statement_review
            }
            said = tuple(self._by_recency(named_statements)) if named_statements else self._said_reviews
            if len(said) > 1:  # 'what did the chair say?': which review (21 of 24 held-out labellers asked so)
                return Match(ReplyKind.CLARIFY, None, confidence=best.score - AMBIGUITY_MARGIN, choices=said[:3])
        if best.intent == "latest_reviews" and period is not None:
            return self._in_period(tokens, self._decide(best, candidates, tokens), period, plural)
        return self._decide(best, candidates, tokens)

    def _with_areas(self, match: Match, tokens: Tokens) -> Match:
        """'Duty numbers for the city, the county and Rutland': 'city' and 'county' name areas only here,
        where the question is about the partnerships or their contacts ('Leicester City' is a football club)."""
        areas = [Ref("partnership", p) for word, p in self._area_words.items() if word in tokens]
        added = [ref for ref in areas if ref not in match.refs]
        return replace(match, refs=(*match.refs, *added)) if added and (match.refs or len(areas) > 1) else match

    def _plural_documents(self, bare: Tokens) -> bool:
        """Reviews, briefings, SCRs: several documents, however misspelt ('reveiws')."""
        return any(
            w in PLURAL_REVIEW_WORDS or (len(w) > 4 and w.endswith("s") and self._is_document(w[:-1])) for w in bare
        )

    def _is_document(self, word: str) -> bool:
        """'review', or a slip of it ('reveiw'); known words are not looked up, so this stays cheap at scale."""
        if word in ONE_DOCUMENT_WORDS:
            return True
        if word in self._index.vocabulary or word in self._english:
            return False
        return self._correct(word, False) in ONE_DOCUMENT_WORDS

    def _one_review_unnamed(
        self, best: _Candidate, tokens: Tokens, hits: list[Hit], plural: bool, period: Period | None
    ) -> bool:
        """'When was the briefing published?', 'what was the learning from the LCSPR': one review is meant,
        where a list or a definition would otherwise answer."""
        listing = best.intent == "latest_reviews" and not any(t in RECENCY_WORDS for t in tokens)
        about_one = tokens[-1] == "about" or any(  # 'the 2024 LCSPR - what was it about?', not 'reading about'
            t in CONTENT_WORDS and t != "about" for t in tokens
        )
        defining = best.intent == "glossary" and (not best.asked or about_one)
        past = best.intent == "how_reviews_work" and "was" in tokens  # 'when was the review published?'
        dated = period is not None and not (defining and about_one)
        return (
            (listing or defining or past)
            and not plural
            and not dated
            and _asks_for_one(tokens)
            and not any(h.ref.kind == "review" for h in hits)
            and not self._review_by_type(hits)
        )

    def _unnamed_review_choices(
        self, tokens: Tokens, best: _Candidate, hits: list[Hit], plural: bool
    ) -> tuple[Ref, ...]:
        """'Send me the briefing', 'what did the chair say in her foreword': one review is meant but none is
        named, so ask which: the reviews whose statements were matched, else the most recent ones. 'The
        serious case review' names the only one of its type."""
        by_type = [] if plural else self._review_by_type(hits)
        if by_type:
            return (by_type[0].ref,)
        if plural or not _asks_for_one(tokens):
            return ()  # 'what did the chair say' hears every statement; 'the foreword' is in one document
        if best.intent != "statement":
            return self._recent_reviews()
        said_by = _unique(
            Ref("review", self._statement_review[h.ref.id])
            for h in best.hits
            if h.ref.kind == "statement" and h.ref.id in self._statement_review
        )
        if not best.hits:
            said_by = self._all_said[:3]  # every review with a statement, home partnership's first, newest first
        return tuple(sorted(said_by, key=self._recency.__getitem__)[:3]) if len(said_by) > 1 else ()

    def _published_in(self, period: Period) -> tuple[Ref, ...]:
        """The home partnership's reviews with a publication in `period`, newest first."""
        return tuple(
            ref for ref in self._local_recent if any(period.holds(day) for day in self._published_days.get(ref, ()))
        )

    def _in_period(self, tokens: Tokens, match: Match, period: Period, plural: bool) -> Match:
        """'What came out in July 2024?' lists that month's publications; 'the LSCPR published in July' asks
        for one of them: that review when only one fits, else a choice between them. A year before the first
        local publication ('a city review from 2016') is the archive's."""
        fitting = self._published_in(period)
        first = self._first_local_year
        if not fitting and period.year is not None and first is not None and period.year < first:
            return Match(ReplyKind.ANSWER, "archive", confidence=match.confidence)
        asks_for_one = not plural and _asks_for_one(tokens)
        if asks_for_one and len(fitting) == 1:
            return Match(ReplyKind.ANSWER, "review", fitting, match.confidence)
        if asks_for_one and fitting:
            return Match(ReplyKind.CLARIFY, None, confidence=match.confidence - AMBIGUITY_MARGIN, choices=fitting[:3])
        return replace(match, period=period)

    def _resolve_same_names(self, hits: list[Hit]) -> tuple[list[Hit], tuple[Ref, ...], tuple[Ref, ...]]:
        """Many partnerships have a 'Child E'. A named partnership decides; otherwise the home partnership's
        review wins and the others become alternatives; with no home review among them, ask.

        Returns (hits to use, alternatives to offer, choices to ask between)."""
        named = {h.ref.id for h in hits if h.ref.kind == "partnership"}
        by_place: dict[frozenset[int], list[Hit]] = defaultdict(list)
        for hit in hits:
            if hit.ref.kind == "review":
                by_place[hit.positions].append(hit)
        for place, same in by_place.items():
            # 'Child C and D review' may be an alias of one partnership only: its namesakes count too
            present = {h.ref for h in same}
            corrected = any(h.corrected for h in same)
            groups = {id(g): g for h in same if (g := self._same_name.get(h.ref)) is not None}
            namesakes = frozenset().union(*groups.values()) - present
            same.extend(Hit(r, place, corrected) for r in sorted(namesakes))
        kept = [h for h in hits if h.ref.kind != "review"]
        alternatives: list[Ref] = []
        for same in by_place.values():
            if len(same) == 1:
                kept.extend(same)
                continue
            in_named = [h for h in same if self._review_partnership.get(h.ref.id) in named]
            home = [h for h in same if self._review_partnership.get(h.ref.id) == self.home_partnership]
            chosen = in_named or home
            if not chosen:
                return hits, (), self._most_recent(h.ref for h in same)
            kept.extend(chosen)
            chosen_refs = {h.ref for h in chosen}
            alternatives.extend(self._most_recent(h.ref for h in same if h.ref not in chosen_refs))
        if named and any(h.ref.kind == "review" for h in kept):
            kept = [h for h in kept if h.ref.kind != "partnership"]  # it only chose which review was meant
        return kept, tuple(alternatives[:3]), ()

    def _by_recency(self, refs: Iterable[Ref]) -> list[Ref]:
        last = len(self._recency)
        return sorted(refs, key=lambda r: self._recency.get(r, last))

    def _most_recent(self, refs: Iterable[Ref], count: int = CHOICES) -> tuple[Ref, ...]:
        """The `count` most recent of `refs` (a name may have a hundred namesakes: no need to sort them all)."""
        last = len(self._recency)
        return tuple(heapq.nsmallest(count, refs, key=lambda r: self._recency.get(r, last)))

    def _first_mentioned(self, candidates: list[_Candidate]) -> _Candidate:
        """Of two strong answers ('link to Child E, and what is an LCSPR?'), the practitioner's first question
        leads; the other follows as 'also'. Same entries: the intent asked first; different: the entry named first."""
        best = candidates[0]
        rivals = [
            c
            for c in candidates[1:]
            if c.kind == ReplyKind.ANSWER
            and best.kind == ReplyKind.ANSWER
            and c.asked
            and best.asked
            and c.hits
            and not all(self._is_weak(h) for h in c.hits)  # 'teacher here, ...' says who asks, not what
            and c.score >= THRESHOLD
            and best.score - c.score <= FIRST_QUESTION_WINDOW
        ]

        def first_entry(c: _Candidate) -> int:
            return min((p for h in c.hits for p in h.positions), default=c.position)

        lead = best
        for rival in rivals:
            if {h.ref for h in rival.hits} == {h.ref for h in lead.hits}:
                earlier = rival.position < lead.position and rival.cue >= max(RULE_SCORES[1], lead.cue)
            else:
                earlier = first_entry(rival) < first_entry(lead)
            if earlier:
                lead = rival
        return lead

    # ----- deciding -------------------------------------------------------------------------------
    def _unknown(self, tokens: Tokens) -> int:
        """Words of three letters or more that nothing in the knowledge base or the rules uses."""
        return sum(len(t) >= 3 and t not in self._index.vocabulary and t not in STOPWORDS for t in tokens)

    def _anchored(self, tokens: Tokens, hits: list[Hit]) -> bool:
        """Does the question touch the domain at all? Guards against 'latest football news'."""
        return bool(hits) or self._unknown(tokens) == 0 or any(t in GENERIC_REVIEW_WORDS for t in tokens)

    def _masked(self, tokens: Tokens, hits: list[Hit]) -> Tokens:
        """The question with review names blanked: the 'child' of 'Child E' or 'the baby' of the baby's review is
        not a child at risk. In a question that asks for learning, a theme's name is a name too: 'my daughter is
        always on her phone, anything from reviews about online harm?' describes no harm."""
        named_kinds = {"review", "theme"} if _mentions_learning(tokens) else {"review"}
        named = {i for h in hits if h.ref.kind in named_kinds for i in h.positions}
        named |= {  # 'Child H', 'Baby Q': any review's name, ours or another area's
            j for i in range(len(tokens) - 1) if self._letter_name_at(tokens, i) for j in (i, i + 1)
        }
        named |= {  # 'a child called Patricia' is the review's child, named
            j
            for i in list(named)
            if i > 1 and tokens[i - 1] in {"called", "named"} and tokens[i - 2] in CHILD_WORDS
            for j in (i - 2, i - 1)
        }
        named |= {  # 'DS in the child abuse investigation unit': a team's name, not a child
            i
            for i in range(len(tokens) - 2)
            if tokens[i] == "child"
            and tokens[i + 1] in CHILD_COMPOUNDS
            and UNIT_WORDS.intersection(tokens[i + 2 : i + 4])
        }
        named |= {  # 'can you tell me about…' asks the bot; it is no child telling anyone anything
            i
            for i in range(len(tokens) - 2)
            if tokens[i] == "tell" and tokens[i + 1] == "me" and (tokens[i + 2] == "about" or tokens[i - 1] in ASKING)
        }
        return tuple("" if i in named else t for i, t in enumerate(tokens)) if named else tokens

    def _urgency(self, tokens: Tokens, masked: Tokens, scores: dict[str, float]) -> float:
        """The urgent score of the question with its names blanked."""
        if "urgent" not in scores or masked is tokens:
            return scores.get("urgent", 0.0)
        return self._intent_scores(masked)[0].get("urgent", 0.0)

    def _tells_of_a_child(self, tokens: Tokens, scores: dict[str, float]) -> bool:
        """'my grandson (7) says his mum's boyfriend locks him in the bathroom': one child pointed at, in a
        message that asks for nothing the bot holds (no review, theme, term, process or list asked at full
        strength). People describe harm in more ways than rules can list; pointing at a child is the constant."""
        if not any(t in CONCERN_WORDS for t in tokens) or not (_points_at_one_child(tokens) or _children_now(tokens)):
            return False  # most questions stop here: the checks below are the dearer ones
        if _mentions_learning(tokens) or any(t in CASE_WORDS for t in tokens):
            return False  # about reviews or learning
        if any(
            (
                score >= RULE_SCORES[2]
                and intent not in {"urgent", "contacts"}
                and self._intent_kind.get(intent) != ReplyKind.CHAT
            )
            or (score >= RULE_SCORES[1] and self._intent_kind.get(intent) == ReplyKind.FALLBACK)
            for intent, score in scores.items()
        ):
            return False  # asks for something the bot holds, or something it refuses
        following = (*tokens[1:], "")
        return any(  # a child in the story: not 'Child F', 'child protection procedures', 'the child review'
            t in CHILD_WORDS and not (len(after) == 1 and after.isalpha()) and after not in CHILD_COMPOUNDS
            for t, after in zip(tokens, following, strict=True)
        )

    @staticmethod
    def _asks_for_learning(tokens: Tokens, scores: dict[str, float], hits: list[Hit]) -> bool:
        """'Anything on online harm, kids being hurt via social media?' or 'kids being groomed online - any
        learning from case reviews?' ask for learning; a concern about a child now points at one child ('a
        girl in my class', 'she', 'him'). Any urgent rule stronger than one cue word wins over a theme alone."""
        if scores.get("how_reviews_work", 0.0) >= RULE_SCORES[2] and (
            any(t in PROCESS_WORDS for t in tokens)  # 'who decides on a review when a child is seriously hurt?'
            or (_any_child(tokens) and not _points_at_one_child(tokens))  # 'what happens after a child is hurt?'
        ):
            return True  # asks about the process
        sentence = f" {' '.join(tokens)} "
        if any(f" {words} " in sentence for words in LAW_QUESTIONS) and not any(t in ONE_CHILD for t in tokens):
            return True  # 'is it legal to smack a child?' asks what the law says, about no child in particular
        if any(t in NOW_WORDS for t in tokens):
            return False  # 'reading the Patricia briefing... dad is back in the house tonight': happening now
        if _points_at_one_child(tokens):
            return False
        return _mentions_learning(tokens) or (
            "theme" in scores
            and any(h.ref.kind == "theme" for h in hits)
            and scores.get("urgent", 0.0) <= RULE_SCORES[1]
        )

    def _candidates(
        self, tokens: Tokens, scores: dict[str, float], positions: dict[str, int], hits: list[Hit], plural: bool
    ) -> list[_Candidate]:
        anchored = self._anchored(tokens, hits)
        unknown = self._unknown(tokens)
        candidates: list[_Candidate] = []
        for intent, score in scores.items():
            kind = self._intent_kind.get(intent, ReplyKind.ANSWER)
            takes = INTENT_TAKES.get(intent, frozenset())
            used = [h for h in hits if h.ref.kind in takes and self._fits(intent, h.ref)]
            if not used and intent in REVIEW_INTENTS and score >= RULE_SCORES[1] and not plural:
                used = self._review_by_type(hits)
            if intent in NEEDS_ENTRY and not used:
                continue
            if intent == "latest_reviews" and any(t in SINCE_WORDS for t in tokens):
                used = [h for h in hits if h.ref.kind == "review"]  # 'anything since Child E?': a reference point
            opening_chat = kind == ReplyKind.CHAT and positions.get(intent) == 0  # 'hello, first time using this'
            if intent in REVIEW_INTENTS and not used and not anchored:
                continue  # 'where can I park near City Hall?' asks nothing about a review
            if kind not in UNANCHORED_KINDS and not anchored and score < RULE_SCORES[2] and not opening_chat:
                continue  # 'latest football news' touches no entry: one cue word is not enough (a refusal is)
            if used:
                entity = max(self._hit_score(h) - NATURAL_PENALTY.get(h.ref.kind, 0.0) for h in used)
                weak = all(self._is_weak(h) for h in used)
                bonus = INTENT_WITH_ENTITY_BONUS / 2 if weak else INTENT_WITH_ENTITY_BONUS
                total = min(100.0, max(score, entity) + bonus)
                if weak and any(
                    not self._is_weak(h) and h.ref.kind != "resource" and not h.corrected for h in hits if h not in used
                ):
                    total -= UNUSED_ENTRY_PENALTY  # 'school nurse here: what is the Child E LCSPR?' asks about Child E
            else:
                strong_hits = any(  # a resource's alias ('thresholds') does not outweigh 'who do I ring'
                    not self._is_weak(h) and h.ref.kind != "resource" and (not h.corrected or h.ref.kind == "review")
                    for h in hits
                )
                listed = LISTS.get(intent)  # 'neglect themes in reviews' asks about neglect, not for the list
                names_one = listed is not None and any(h.ref.kind == listed and not self._is_weak(h) for h in hits)
                penalised = (takes and strong_hits and kind == ReplyKind.ANSWER) or names_one
                total = score - (UNUSED_ENTRY_PENALTY if penalised else 0.0)
                if kind == ReplyKind.ANSWER and score <= RULE_SCORES[1]:
                    total -= UNKNOWN_WORD_PENALTY * max(0, unknown - 1)  # one cue word among strangers
            candidates.append(_Candidate(intent, kind, total, tuple(used), positions.get(intent, 0), cue=score))
        taken = {h.ref for c in candidates for h in c.hits}
        by_intent: dict[str, list[Hit]] = defaultdict(list)
        for hit in hits:
            if hit.ref not in taken:
                by_intent[self._natural_intent(hit.ref)].append(hit)
        for intent, used in by_intent.items():
            if all(h.ref.kind == "partnership" for h in used) and self._says_more(tokens, hits):
                continue  # 'ASYE pay scale Rutland?', 'snow in Rutland': a place named in passing asks nothing about it
            score = max(self._hit_score(h) - NATURAL_PENALTY.get(h.ref.kind, 0.0) for h in used)
            if all(self._is_weak(h) for h in used):
                if unknown and all(h.ref in self._weak for h in used):
                    continue  # 'pay scale for a newly qualified teacher': a sector named in passing, not a question
                score -= UNKNOWN_WORD_PENALTY * unknown  # 'Coventry SCR Daniel Pelka' is not about our glossary
                if any(not self._is_weak(h) for h in hits):
                    score -= UNUSED_ENTRY_PENALTY  # 'neglect themes from SCRs': the theme is the subject
            first = min(p for h in used for p in h.positions)
            candidates.append(_Candidate(intent, ReplyKind.ANSWER, score, tuple(used), first, asked=False))
        order = {intent: i for i, intent in enumerate(self._intent_order)}
        candidates.sort(key=lambda c: (-c.score, order.get(c.intent, 99)))
        return candidates

    @staticmethod
    def _says_more(tokens: Tokens, hits: list[Hit]) -> bool:
        """Words beyond the names hit and stopwords, none about partnerships: the question is about something
        else ('ASYE pay scale Rutland?'), not the partnership ('is Rutland covered by the city board?')."""
        named = {p for h in hits for p in h.positions}
        rest = [t for i, t in enumerate(tokens) if t not in STOPWORDS and i not in named]
        asks_what = any(t in ASKING_WHAT for t in tokens)
        return bool(rest) and not asks_what and not any(t in PARTNERSHIP_WORDS for t in rest)

    def _is_weak(self, hit: Hit) -> bool:
        """Words that name an entry in passing: a glossary word, a sector ('health visitor'), an area."""
        return hit.ref.kind in {"term", "partnership"} or hit.ref in self._weak

    def _review_by_type(self, hits: list[Hit]) -> list[Hit]:
        """'the SCR' names a review when exactly one review is of that type."""
        for hit in hits:
            review_id = self._single_review_of_type.get(hit.ref.id) if hit.ref.kind == "term" else None
            if review_id is not None:
                return [Hit(Ref("review", review_id), hit.positions, corrected=True)]
        return []

    def _fits(self, intent: str, ref: Ref) -> bool:
        if ref.kind != "resource":
            return True
        natural = self._natural_intent(ref)
        return intent in {natural, "where_to_read"} or (intent == "national_repository" and natural == "theme")

    def _natural_intent(self, ref: Ref) -> str:
        if ref.kind == "resource":
            return self._resource_intent.get(ref.id, "framework")
        return NATURAL_INTENT[ref.kind]

    @staticmethod
    def _hit_score(hit: Hit) -> float:
        return ENTITY_CORRECTED_SCORE if hit.corrected else ENTITY_SCORE

    def _topic(self, tokens: Tokens) -> tuple[Ref, ...]:
        """The explainer closest to the question (how reviews work, why only a briefing…)."""
        found = process.extractOne(
            " ".join(tokens), self._topic_phrases, scorer=fuzz.token_set_ratio, processor=None, score_cutoff=60
        )
        return (Ref("topic", self._topic_of_phrase[found[2]]),) if found else ()

    def _decide(self, best: _Candidate, candidates: list[_Candidate], tokens: Tokens) -> Match:
        if best.kind != ReplyKind.ANSWER:
            return Match(best.kind, best.intent, confidence=best.score)
        themes = tuple(h for h in best.hits if h.ref.kind == "theme")
        if best.intent == "national_repository" and themes:
            best = replace(best, intent="theme", hits=themes)  # 'NSPCC learning on neglect': that theme's briefing
        refs = _unique(h.ref for h in best.hits)
        if best.intent == "how_reviews_work" and not any(r.kind == "topic" for r in refs):
            refs = (*self._topic(tokens), *refs)
        also = tuple(
            (c.intent, _unique(h.ref for h in c.hits))
            for c in candidates
            if c is not best and c.hits and c.score >= RULE_SCORES[2] and not {h.ref for h in c.hits} & set(refs)
        )[:1]
        return Match(ReplyKind.ANSWER, best.intent, refs, round(best.score, 1), also=also)

    def _partial(self, tokens: Tokens, hits: list[Hit], plural: bool) -> Match:
        """No confident answer: offer reviews the words half-name ('child', 'july'), else fall back."""
        about_reviews = any(t in GENERIC_REVIEW_WORDS for t in tokens)
        period = period_of(tokens)
        if period is not None and plural:
            return Match(ReplyKind.ANSWER, "latest_reviews", confidence=THRESHOLD, period=period)  # 'reviews from 2024'
        if hits:
            return Match(ReplyKind.FALLBACK, None, unknown_review=about_reviews)
        # 'it' alone is no reference here: 'what time is it' asked nothing about a review
        the_one = any(t == "one" and "the" in tokens[max(0, i - 3) : i] for i, t in enumerate(tokens))  # 'the july one'
        about_documents = about_reviews or the_one or len(tokens) <= HALF_NAME_SHORT
        choices = (self._half_named(tokens) if about_documents else ()) or (
            self._recent_reviews() if not plural and _asks_for_one(tokens, pronoun=False) else ()
        )  # not 'a child friendly version of a CP plan': no document is meant there
        if choices:  # 'the July one', 'whats the learning from the briefing'
            return Match(ReplyKind.CLARIFY, None, confidence=50.0, choices=choices)
        if tokens and all(t in GENERIC_REVIEW_WORDS or t in STOPWORDS for t in tokens) and about_reviews:
            return Match(ReplyKind.CLARIFY, None, confidence=50.0, choices=self._recent_reviews())
        return Match(ReplyKind.FALLBACK, None, unknown_review=about_reviews)

    def _half_named(self, tokens: Tokens) -> tuple[Ref, ...]:
        """Reviews that words such as 'child' or 'july' point to without naming one: choices, never an answer."""
        evidence: dict[int, int] = defaultdict(int)  # recency rank -> words pointing at that review
        for token in tokens:
            for rank in self._partial_ranks.get(token, ()):
                evidence[rank] += 1
        if not evidence:
            return ()
        top = max(evidence.values())
        return tuple(self._recent_refs[r] for r in heapq.nsmallest(3, (r for r, n in evidence.items() if n == top)))

    def _recent_reviews(self) -> tuple[Ref, ...]:
        return tuple(self._recent_refs[:3])


@dataclass(frozen=True)
class _Candidate:
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


def latest_date(review: Review) -> dt.date:
    """The review's most recent publication date; undated ones sort last."""
    dates = [d.published_on for d in review.documents if isinstance(d, PublishedDocument) and d.published_on]
    return max(dates, default=dt.date.min)


def _only_examples(tokens: Tokens, hits: list[Hit]) -> bool:
    """'Which themes are there, eg neglect, DA?', 'what subjects - neglect, DA, what else?': every entry hit is
    named after 'eg' or 'like', or before 'what else' or 'etc': examples of the list asked for, not the subject."""
    marker = next(
        (
            i
            for i, t in enumerate(tokens)
            if t in EXAMPLE_WORDS or (t, *tokens[i + 1 : i + 2]) in {("for", "example"), ("such", "as"), ("e", "g")}
        ),
        None,
    )
    named = [p for h in hits for p in h.positions]
    more = next((i for i, t in enumerate(tokens) if t in MORE_WORDS and i > 0), None)  # 'DA, what else?', 'what other'
    return bool(named) and ((marker is not None and min(named) > marker) or (more is not None and max(named) < more))


def _any_child(tokens: Tokens) -> bool:
    """'When a child dies', 'if a child discloses': children in general, as rules and processes speak of them."""
    return any(
        a in GENERIC_BEFORE and b in {"a", "an"} and c in CHILD_NOUNS
        for a, b, c in zip(tokens, tokens[1:], tokens[2:], strict=False)
    )


def _children_now(tokens: Tokens) -> bool:
    """'Mum has a knife, children are in the house now': children in a situation now, not 'when children…'."""
    return bool(NOW_WORDS.intersection(tokens)) and any(
        t == "children" and (i == 0 or tokens[i - 1] not in GENERIC_BEFORE) for i, t in enumerate(tokens)
    )


def _points_at_one_child(tokens: Tokens) -> bool:
    """'she', 'him', 'a girl', 'girl 14', 'my 9 year old', 'our 14 year old': one child, not children in
    general ('when a child dies', 'if a child discloses')."""
    return (
        any(t in ONE_CHILD for t in tokens)
        or any(
            (
                tokens[i] in ONE_CHILD_DETERMINERS
                and any(t in CHILD_NOUNS for t in tokens[i + 1 : i + 3])
                and not (tokens[i] == "a" and i > 0 and tokens[i - 1] in GENERIC_BEFORE)
            )
            or (tokens[i] in OWN_CHILDREN and "children" in tokens[i + 1 : i + 3])  # 'my 2 kids', 'her children'
            for i in range(len(tokens))
        )
        or any(
            a.isdigit() and (b, c) == ("year", "old") for a, b, c in zip(tokens, tokens[1:], tokens[2:], strict=False)
        )
        or any(a in CHILD_NOUNS and b.isdigit() and int(b) < CHILD_AGE_LIMIT for a, b in itertools.pairwise(tokens))
    )


def _mentions_learning(tokens: Tokens) -> bool:
    """A learning word ('briefing', 'lessons') or 'anything on/about …'."""
    return any(t in LEARNING_WORDS for t in tokens) or any(
        pair in {("anything", "on"), ("anything", "about"), ("out", "there")} for pair in itertools.pairwise(tokens)
    )


def _asks_for_one(tokens: Tokens, pronoun: bool = True) -> bool:
    """'send me the briefing', 'the 2024 Leicester LCSPR', 'the one with her foreword': one document, not
    named (unless plurals say otherwise)."""
    pairs = set(itertools.pairwise(tokens))
    if {("the", "one"), ("that", "one"), ("this", "one")} & pairs or (pronoun and "it" in tokens):
        return True  # 'the one with her foreword', 'is that one published?', 'where can I read it?'
    return any(
        token in SINGULAR_DETERMINERS and any(t in ONE_DOCUMENT_WORDS for t in tokens[i + 1 : i + 1 + DETERMINER_REACH])
        for i, token in enumerate(tokens)
    )


def _unique(refs: Iterable[Ref]) -> tuple[Ref, ...]:
    return tuple(dict.fromkeys(refs))
