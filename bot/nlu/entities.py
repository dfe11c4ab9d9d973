"""Entities: the index of names built from the public view, and the entries a question names.

Names, aliases and publication dates of reviews, themes, terms, resources, contacts, partnerships and who
made statements, all normalised once at build. Per question: n-grams probed in an alias table (a dict probe,
independent of the knowledge base's size), long names found as words in any order, namesakes resolved
('Child E' of many partnerships), and the words that only half-name a review ('child', 'july').
Built from the public view only, so nothing hidden is ever indexed.
"""

from __future__ import annotations

import datetime as dt
import heapq
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

from rapidfuzz import fuzz, process

from bot.kb.models import KnowledgeBase, PublishedDocument, ResourceKind, Review
from bot.nlu.english import ALIAS_STOPWORDS, MONTHS, OPEN_ENDED, STOPWORDS
from bot.nlu.intents import NATURAL_INTENT, RESOURCE_INTENT
from bot.nlu.lexicon import Lexicon
from bot.nlu.normalise import Tokens
from bot.nlu.thresholds import (
    BAG_COMMON_WORD_REFS,
    BAG_COVERAGE,
    BAG_PARTIAL_MIN,
    CHOICES,
    ENTITY_CORRECTED_SCORE,
    ENTITY_SCORE,
    QUOTED_SHORTEST,
    QUOTED_WORDS,
    TOPIC_CUTOFF,
)
from bot.nlu.types import Hit, Period, Ref

AREA_WORD = re.compile(r"\(the (\w+)\)")  # a partnership's area 'Leicester (the city)' gives the word 'city'
NOT_PLACE_NAMES = frozenset({"children", "child", "city", "county"})  # in partnerships' names, but no place


def domain_words(lexicon: Lexicon) -> frozenset[str]:
    """The words every question about reviews uses: learning, children, reviews, documents, what was said."""
    lists = (lexicon.learning_words, lexicon.child_words, lexicon.generic_review_words, lexicon.one_document_words)
    more = (lexicon.content_words, lexicon.say_words, lexicon.case_words, lexicon.process_words, lexicon.recency_words)
    return frozenset().union(*lists, *more)


def alias_key(tokens: Tokens) -> Tokens:
    """The words of a name that matter for matching it."""
    return tuple(t for t in tokens if t not in ALIAS_STOPWORDS)


def latest_date(review: Review) -> dt.date:
    """The review's most recent publication date; undated ones sort last."""
    dates = [d.published_on for d in review.documents if isinstance(d, PublishedDocument) and d.published_on]
    return max(dates, default=dt.date.min)


def period_of(tokens: Tokens) -> Period | None:
    """The month and year a question names ('july 2024', 'in 2023'), or None."""
    if any(t in OPEN_ENDED for t in tokens):
        return None  # 'since 2024' is not 'in 2024': everything, newest first, answers it
    month = next((MONTHS.index(t) + 1 for t in tokens if t in MONTHS), None)
    year = next((int(t) for t in tokens if len(t) == 4 and t.isdigit() and 2000 <= int(t) <= 2099), None)
    return Period(year, month) if month or year else None


def unique(refs: Iterable[Ref]) -> tuple[Ref, ...]:
    """`refs` without repeats, in order."""
    return tuple(dict.fromkeys(refs))


PERSON_QUESTION = frozenset({"who", "whos", "chair", "chairs", "chairperson", "chairman", "chairwoman", "role"})
"""Words that ask about a person (who she is, what she chairs), not about what she said."""


def _once_each(norm: Callable[[str], Tokens]) -> Callable[[str], Tokens]:
    """`norm`, computed once per distinct text: 5,000 reviews repeat a few thousand names 35,000 times."""
    seen: dict[str, Tokens] = {}

    def once(text: str) -> Tokens:
        found = seen.get(text)
        if found is None:
            found = seen[text] = norm(text)
        return found

    return once


class EntityIndex:
    """Every name of one public view, and what each question names; built once per view."""

    def __init__(
        self, view: KnowledgeBase, norm: Callable[[str], Tokens], lexicon: Lexicon, home_partnership: str | None
    ) -> None:
        self._norm = self.name_norm = _once_each(norm)  # while building: names recur ('Child E', 'Baby R')
        self._lex = lexicon
        self.aliases: dict[Tokens, set[Ref]] = defaultdict(set)
        self._bags: dict[str, list[tuple[frozenset[str], Ref]]] = defaultdict(list)
        self._partial: dict[str, set[Ref]] = defaultdict(set)
        self.vocabulary: set[str] = set()
        """Every word of every name (and the months reviews were published in)."""
        self.names: set[str] = set()
        """The words of the home partnership's review names: short typos are corrected toward them."""
        self._pending_bags: list[tuple[frozenset[str], Ref]] = []
        self.home_area_words = frozenset(
            t
            for p in view.partnerships
            for name in (p.name, p.short_name, *p.aliases)
            for t in norm(name)
            if t not in STOPWORDS and t not in lexicon.area_context and t not in NOT_PLACE_NAMES
        )
        self.area_words = {  # 'Leicester (the city)': 'the city and the county' names both partnerships' areas
            found.group(1): p.id for p in view.partnerships if (found := AREA_WORD.search(p.area))
        }
        self._places = {norm(place): p.id for p in view.partnerships for place in p.places}
        self.partnerships = tuple(Ref("partnership", p.id) for p in sorted(view.partnerships, key=lambda p: not p.home))
        """Every partnership, the home one first."""
        self.area_contacts = frozenset(c.id for c in view.contacts if c.partnerships)
        """Contacts of our partnerships' areas: the children's duty teams and referral routes."""
        self._longest_place = max((len(place) for place in self._places), default=0)
        self._topic_phrases = [" ".join(norm(a)) for t in view.topics for a in (t.title, *t.aliases)]
        self._topic_of_phrase = [t.id for t in view.topics for _ in (t.title, *t.aliases)]
        self._build(view)
        self._norm = norm  # answering: questions are not remembered
        # `name_norm` keeps the build's normalised names: the learned part's masker reads the same names
        self.home_partnership = home_partnership or next((p.id for p in view.partnerships if p.home), None)
        self.review_partnership = {r.id: r.partnership for r in view.reviews}
        self.partnerships_with_reviews = frozenset(self.review_partnership.values())
        self._longest_alias = max((len(k) for k in self.aliases), default=1)
        self._alias_refs = {key: tuple(sorted(refs)) for key, refs in self.aliases.items()}  # sorted once

    # ----- building -------------------------------------------------------------------------------
    def _alias(self, ref: Ref, names: Iterable[str], local: bool = False) -> None:
        """Index names of an entry; `local` (home partnership's reviews) also feeds short-typo correction."""
        for name in names:
            tokens = self._norm(name)
            key = alias_key(tokens)
            if not key:
                continue
            self.aliases[key].add(ref)
            self.vocabulary.update(tokens)
            if local:
                self.names.update(key)
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
                self._bags[key].append((bag, ref))
        self._shared_words = frozenset(t for t, refs in refs_with.items() if len(refs) >= BAG_COMMON_WORD_REFS)
        self._pending_bags.clear()

    def _build(self, view: KnowledgeBase) -> None:
        norm = self._norm
        generic = self._lex.generic_review_words
        self._resource_intent = {r.id: RESOURCE_INTENT[r.kind] for r in view.resources}
        home = next((p.id for p in view.partnerships if p.home), None)
        ranked = sorted(view.reviews, key=lambda r: (r.partnership != home, -latest_date(r).toordinal()))
        self._recent_refs = [Ref("review", r.id) for r in ranked]  # home partnership first, newest first
        self.recency = {ref: rank for rank, ref in enumerate(self._recent_refs)}
        self._weak = {Ref("theme", t.id) for t in view.themes if t.sector}
        by_name: dict[Tokens, list[Ref]] = defaultdict(list)
        by_type: dict[str, list[str]] = defaultdict(list)
        for review in view.reviews:
            ref = Ref("review", review.id)
            self._alias(ref, [review.name, *review.aliases], local=review.partnership == home)
            name = norm(review.name)
            by_name[alias_key(name)].append(ref)
            by_type[review.review_type].append(review.id)
            for token in name:
                if token not in STOPWORDS and token not in generic and len(token) > 1:
                    self._partial[token].add(ref)
            for doc in review.documents:
                if isinstance(doc, PublishedDocument) and doc.published_on is not None:
                    day, month, year = doc.published_on.day, MONTHS[doc.published_on.month - 1], doc.published_on.year
                    self._partial[month].add(ref)
                    self._partial[str(year)].add(ref)
                    self.vocabulary.add(month)
                    if review.partnership == home:  # 'what came out on 17 July 2024?' names the review (dates
                        # are spelled one way by the normaliser: '17/07/24' and '17th Jul' read the same)
                        for key in ((str(day), month, str(year)), (str(day), month), (month, str(day))):
                            self.aliases[key].add(ref)
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
        # Topics are not names: their aliases are whole questions, matched in topic() once the intent is known.
        for statement in view.statements:
            self._alias(Ref("statement", statement.id), [statement.by, *statement.by.split()])
        self._index_bags()
        # Half-naming words ('child', 'july') only point at the home partnership's reviews: among thousands of
        # other partnerships' reviews they would point everywhere.
        local = {Ref("review", r.id) for r in view.reviews if home is None or r.partnership == home}
        self._local = frozenset(local)
        self._local_recent = tuple(ref for ref in self._recent_refs if ref in self._local)  # newest first
        self.statement_review = {s.id: s.review for s in view.statements}
        said = {Ref("review", s.review) for s in view.statements}
        self.said_reviews = tuple(self.by_recency(said & self._local or said))  # home partnership's first
        self.all_said = tuple(self.by_recency(said))
        self._said_words = self._words_of_one_statement(view, norm, domain_words(self._lex))
        self._published_days = {
            Ref("review", r.id): [d.published_on for d in r.documents if isinstance(d, PublishedDocument)]
            for r in view.reviews
        }
        self.first_local_year = min(
            (day.year for ref in self._local for day in self._published_days.get(ref, ()) if day), default=None
        )
        self._partial_ranks = {
            token: sorted(self.recency[ref] for ref in refs if ref in local) for token, refs in self._partial.items()
        }
        groups = [frozenset(refs) for refs in by_name.values() if len(refs) > 1]
        self._same_name = {ref: group for group in groups for ref in group}
        self._single_review_of_type = {t: ids[0] for t, ids in by_type.items() if len(ids) == 1}

    # ----- per question ---------------------------------------------------------------------------
    def hits(self, tokens: Tokens, corrected: frozenset[int]) -> list[Hit]:
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
            for bag, ref in self._bags.get(word, ()):
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

    def resolve_same_names(self, hits: list[Hit]) -> tuple[list[Hit], tuple[Ref, ...], tuple[Ref, ...]]:
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
            in_named = [h for h in same if self.review_partnership.get(h.ref.id) in named]
            home = [h for h in same if self.review_partnership.get(h.ref.id) == self.home_partnership]
            chosen = in_named or home
            if not chosen:
                return hits, (), self.most_recent(h.ref for h in same)
            kept.extend(chosen)
            chosen_refs = {h.ref for h in chosen}
            alternatives.extend(self.most_recent(h.ref for h in same if h.ref not in chosen_refs))
        if named and any(h.ref.kind == "review" for h in kept):
            kept = [h for h in kept if h.ref.kind != "partnership"]  # it only chose which review was meant
        return kept, tuple(alternatives[:CHOICES]), ()

    def half_named(self, tokens: Tokens) -> tuple[Ref, ...]:
        """Reviews that words such as 'child' or 'july' point to without naming one: choices, never an answer."""
        evidence: dict[int, int] = defaultdict(int)  # recency rank -> words pointing at that review
        for token in tokens:
            for rank in self._partial_ranks.get(token, ()):
                evidence[rank] += 1
        if not evidence:
            return ()
        top = max(evidence.values())
        best = heapq.nsmallest(CHOICES, (rank for rank, n in evidence.items() if n == top))
        return tuple(self._recent_refs[rank] for rank in best)

    def letter_name_at(self, tokens: Tokens, i: int) -> bool:
        """'Child F', 'Baby P' at `i`: a name word and a letter. 'a' and 'i' only where a name ends ('Child A
        and B'), not as words ('a child i visited', 'child a lot')."""
        letter = tokens[i + 1]
        return (
            tokens[i] in self._lex.name_words
            and len(letter) == 1
            and letter.isalpha()
            and (letter not in {"a", "i"} or self._ends_name(tokens[i + 2 : i + 3]))
        )

    def _ends_name(self, following: Tokens) -> bool:
        """After 'Child A': the end, 'and', 'in', 'from', a review word or an area closes a name ('Child A
        Leicestershire LCSPR', 'Child A in Rutland'); any other word means 'a' was the article ('child a lot')."""
        return (
            not following
            or following[0] in {"and", "in", "from"}
            or following[0] in self._lex.case_words
            or (following[0] in self.home_area_words)
        )

    def topic(self, tokens: Tokens) -> tuple[Ref, ...]:
        """The explainer closest to the question (how reviews work, why only a briefing…)."""
        found = process.extractOne(
            " ".join(tokens),
            self._topic_phrases,
            scorer=fuzz.token_set_ratio,
            processor=None,
            score_cutoff=TOPIC_CUTOFF,
        )
        return (Ref("topic", self._topic_of_phrase[found[2]]),) if found else ()

    def placed(self, tokens: Tokens) -> tuple[str, ...]:
        """The partnerships whose towns the question names ('I work in Melton'), first named first."""
        return tuple(dict.fromkeys(partnership for _, _, partnership in self.places_at(tokens)))

    def places_at(self, tokens: Tokens) -> list[tuple[int, int, str]]:
        """Where the question names a partnership's town: (word, how many words, partnership), in order."""
        return [
            (i, n, self._places[tokens[i : i + n]])
            for i in range(len(tokens))
            for n in range(1, self._longest_place + 1)
            if tokens[i : i + n] in self._places
        ]

    # ----- about entries --------------------------------------------------------------------------
    def is_weak(self, hit: Hit) -> bool:
        """Words that name an entry in passing: a glossary word, a sector ('health visitor'), an area."""
        return hit.ref.kind in {"term", "partnership"} or hit.ref in self._weak

    def is_sector(self, ref: Ref) -> bool:
        """A sector theme ('health visitor'): says who asks, rarely what."""
        return ref in self._weak

    @staticmethod
    def hit_score(hit: Hit) -> float:
        return ENTITY_CORRECTED_SCORE if hit.corrected else ENTITY_SCORE

    def speakers_as_partnerships(self, tokens: Tokens, hits: list[Hit]) -> list[Hit]:
        """'Who is Amanda Boodhoo?', 'is she still the independent chair?': a person who made statements, asked
        about as a person (who, chair) and not for what was said or written, is named as the partnership she
        spoke for: the answer is the partnership, with its chair. Asked what she said, she stays the statements."""
        lex = self._lex
        if (
            not any(h.ref.kind == "statement" for h in hits)
            or any(h.ref.kind == "review" for h in hits)
            or not PERSON_QUESTION.intersection(tokens)
            or any(t in lex.say_words or t in lex.one_document_words or t in lex.content_words for t in tokens)
        ):
            return hits
        spoke_for = {
            self.review_partnership.get(self.statement_review.get(h.ref.id, ""), ""): h.positions
            for h in hits
            if h.ref.kind == "statement"
        }
        kept = [h for h in hits if h.ref.kind != "statement"]
        spoken = [Hit(Ref("partnership", p), where, corrected=False) for p, where in spoke_for.items() if p]
        return kept + spoken

    def natural_intent(self, ref: Ref) -> str:
        """The intent that answers an entry named alone."""
        if ref.kind == "resource":
            return self._resource_intent.get(ref.id, "framework")
        return NATURAL_INTENT[ref.kind]

    def fits(self, intent: str, ref: Ref) -> bool:
        """Can `intent` answer with this entry? A resource only for its own intent (or where to read it)."""
        if ref.kind != "resource":
            return True
        natural = self.natural_intent(ref)
        return intent in {natural, "where_to_read"} or (intent == "national_repository" and natural == "theme")

    @staticmethod
    def _words_of_one_statement(
        view: KnowledgeBase, norm: Callable[[str], Tokens], common: frozenset[str]
    ) -> dict[str, str]:
        """Each word told in exactly one statement (its summary and quotes), to the review it was about: the
        words that recognise a statement quoted from memory. The domain's `common` words ('learning', 'child',
        'review') tell no statement apart."""
        told: dict[str, set[str]] = defaultdict(set)
        for statement in view.statements:
            for text in (statement.summary, *statement.quote):
                for word in norm(text):
                    if len(word) > QUOTED_SHORTEST and word not in STOPWORDS and word not in common:
                        told[word].add(statement.review)
        return {word: next(iter(reviews)) for word, reviews in told.items() if len(reviews) == 1}

    def quoted(self, tokens: Tokens) -> Ref | None:
        """The review whose statement a question quotes or retells ('a line about the board remaining committed
        to reviewing its practice'): the one statement sharing `QUOTED_WORDS` or more of its own words with it,
        more than any other does."""
        counts = Counter(self._said_words[t] for t in set(tokens) if t in self._said_words)
        ranked = counts.most_common(2)
        if not ranked or ranked[0][1] < QUOTED_WORDS or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
            return None
        return Ref("review", ranked[0][0])

    def review_by_type(self, hits: list[Hit]) -> list[Hit]:
        """'the SCR' names a review when exactly one review is of that type."""
        for hit in hits:
            review_id = self._single_review_of_type.get(hit.ref.id) if hit.ref.kind == "term" else None
            if review_id is not None:
                return [Hit(Ref("review", review_id), hit.positions, corrected=True)]
        return []

    def by_recency(self, refs: Iterable[Ref]) -> list[Ref]:
        last = len(self.recency)
        return sorted(refs, key=lambda r: self.recency.get(r, last))

    def most_recent(self, refs: Iterable[Ref], count: int = CHOICES) -> tuple[Ref, ...]:
        """The `count` most recent of `refs` (a name may have a hundred namesakes: no need to sort them all)."""
        last = len(self.recency)
        return tuple(heapq.nsmallest(count, refs, key=lambda r: self.recency.get(r, last)))

    def recent_reviews(self) -> tuple[Ref, ...]:
        return tuple(self._recent_refs[:CHOICES])

    def published_in(self, period: Period) -> tuple[Ref, ...]:
        """The home partnership's reviews with a publication in `period`, newest first."""
        return tuple(
            ref for ref in self._local_recent if any(period.holds(day) for day in self._published_days.get(ref, ()))
        )
