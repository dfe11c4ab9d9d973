"""Clarify: when the review a question is about is left unsaid, answer with the one that fits, or ask
'Did you mean …?' between the few that might; when nothing answered, offer the reviews its words half-name.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

from bot.kb.models import ReplyKind
from bot.nlu.decide import Decide
from bot.nlu.english import SINGULAR_DETERMINERS, STOPWORDS
from bot.nlu.entities import EntityIndex, period_of, unique
from bot.nlu.intents import REVIEW_INTENTS
from bot.nlu.lexicon import Lexicon
from bot.nlu.normalise import Tokens
from bot.nlu.thresholds import (
    AMBIGUITY_MARGIN,
    CHOICES,
    DETERMINER_REACH,
    FULL_STRENGTH,
    HALF_NAME_SHORT,
    HALF_NAMED_CONFIDENCE,
    THRESHOLD,
)
from bot.nlu.types import Candidate, Hit, Match, Period, Reading, Ref

ONE_OF = frozenset({("the", "one"), ("that", "one"), ("this", "one")})
AFTER_WORDS = frozenset({"since", "after", "newer"})
"""Beside a review's name: what came after it ('anything since Child E?'), not when it came out."""
THE_BODY = frozenset({("the", "partnership"), ("the", "board")})
"""'The partnership', 'the board': one of the partnerships, unnamed."""
BODY_WORDS = frozenset({"about", "partnership", "board"})
"""All 'about the partnership' says: the about page (the home partnership and what the bot does), no fact."""


class Clarify:
    """Which review was meant, when it was not said; built once per view."""

    def __init__(self, lexicon: Lexicon, entities: EntityIndex, decide: Decide) -> None:
        self._lex = lexicon
        self._entities = entities
        self._decide = decide

    def namesakes(self, choices: tuple[Ref, ...]) -> Match:
        """'Child E' of several partnerships, none of them ours or named: ask which."""
        return Match(ReplyKind.CLARIFY, None, confidence=THRESHOLD - AMBIGUITY_MARGIN, choices=choices[:CHOICES])

    def settle(self, best: Candidate, candidates: list[Candidate], r: Reading) -> Match:
        """The confident candidate as a Match, unless the review it is about is left unsaid: then a month's
        reviews ('links to the July 2024 reviews'), the one that fits, or 'Did you mean …?'."""
        tokens, hits, plural = r.tokens, r.hits, r.plural
        entities = self._entities
        reviewless = (best.intent in REVIEW_INTENTS or (best.intent == "glossary" and not best.asked)) and not any(
            h.ref.kind == "review" for h in best.hits
        )
        if best.intent == "about" and self._partnership_unsaid(tokens, hits):
            r.note("clarify", "'the partnership', of two: which one?")
            return Match(
                ReplyKind.CLARIFY, None, confidence=best.score - AMBIGUITY_MARGIN, choices=entities.partnerships
            )
        period = period_of(tokens)
        quoted = entities.quoted(tokens) if reviewless and best.intent in REVIEW_INTENTS else None
        if quoted is not None:  # 'a line about the board remaining committed to reviewing practice: which review?'
            r.note("clarify", "a statement is quoted: its review")
            return Match(ReplyKind.ANSWER, best.intent, (quoted,), round(best.score, 1))
        if reviewless and plural and period is not None and best.intent in REVIEW_INTENTS:
            fitting = entities.published_in(period)
            if fitting:
                return Match(ReplyKind.ANSWER, best.intent, fitting, round(best.score, 1))
        if self._one_review_unnamed(best, tokens, hits, plural, period):
            fitting = entities.published_in(period) if period is not None else ()
            if len(fitting) == 1:  # 'the 2023 LCSPR - what was it about?' when one review came out in 2023
                return Match(ReplyKind.ANSWER, "review", fitting, round(best.score, 1))
            r.note("clarify", "one review is meant but none is named")
            return Match(
                ReplyKind.CLARIFY,
                None,
                confidence=best.score - AMBIGUITY_MARGIN,
                choices=fitting[:CHOICES] or entities.recent_reviews(),
            )
        covered = {p for h in hits for p in h.positions}
        choices = entities.half_named(tuple(t for i, t in enumerate(tokens) if i not in covered)) if reviewless else ()
        if reviewless and not choices and best.intent != "glossary":
            choices = self._unnamed_review_choices(tokens, best, hits, plural)
        if len(choices) == 1 and best.score >= FULL_STRENGTH and best.intent in REVIEW_INTENTS:
            # 'what did the chair say about the baby': one review fits, and the question is clear
            r.note("clarify", "one review fits the words that half-name it")
            best = replace(best, hits=(Hit(choices[0], frozenset(), corrected=True),))
            return self._decide.final(best, candidates, tokens)
        if choices:
            r.note("clarify", "the review is half-named: which one?")
            return Match(ReplyKind.CLARIFY, None, confidence=best.score - AMBIGUITY_MARGIN, choices=choices)
        asks_what_was_said = any(t in self._lex.say_words for t in tokens)  # not 'chair statement': that lists them
        if best.intent == "statement" and reviewless and not plural and period is None and asks_what_was_said:
            named_statements = {
                Ref("review", entities.statement_review[h.ref.id])
                for h in best.hits
                if h.ref.kind == "statement" and h.ref.id in entities.statement_review
            }
            said = tuple(entities.by_recency(named_statements)) if named_statements else entities.said_reviews
            if len(said) > 1:  # 'what did the chair say?': which review (21 of 24 held-out labellers asked so)
                r.note("clarify", "what was said, in which review?")
                return Match(ReplyKind.CLARIFY, None, confidence=best.score - AMBIGUITY_MARGIN, choices=said[:CHOICES])
        named = tuple(h.ref for h in best.hits if h.ref.kind == "review")
        # 'anything newer than Child E?' lists what came after it; 'last' is a period's ('July last year')
        since = AFTER_WORDS | (self._lex.recency_words - {"last"})
        if best.intent == "latest_reviews" and period is not None and named and not since.intersection(tokens):
            r.note("clarify", "a review named with a month: when it came out")  # 'did Child E come out in July?'
            return Match(ReplyKind.ANSWER, "review", named, round(best.score, 1))
        if best.intent == "latest_reviews" and period is not None:
            return self._in_period(r, self._decide.final(best, candidates, tokens), period)
        return self._decide.final(best, candidates, tokens)

    def _partnership_unsaid(self, tokens: Tokens, hits: list[Hit]) -> bool:
        """'When did the partnership start?', 'what's the partnership website?': one partnership is meant, of
        several, and nothing in the question says which (no name, area, town, review or duty team)."""
        entities = self._entities
        return (
            len(entities.partnerships) > 1
            and not hits
            and bool(THE_BODY & set(itertools.pairwise(tokens)))
            and any(t not in STOPWORDS and t not in BODY_WORDS for t in tokens)  # not 'about the partnership'
            and not any(t in entities.home_area_words or t in entities.area_words for t in tokens)
            and not entities.placed(tokens)
        )

    def which(self, tokens: Tokens) -> tuple[Ref, ...]:
        """The reviews a question about one unnamed review may mean: those published in the period it names
        ('the July 2024 one'), else the most recent."""
        period = period_of(tokens)
        fitting = self._entities.published_in(period) if period is not None else ()
        return fitting[:CHOICES] if len(fitting) > 1 else self._entities.recent_reviews()

    def asks_for_one(self, tokens: Tokens, pronoun: bool = True) -> bool:
        """'send me the briefing', 'the 2024 Leicester LCSPR', 'the one with her foreword': one document, not
        named (unless plurals say otherwise)."""
        pairs = set(itertools.pairwise(tokens))
        if ONE_OF & pairs or (pronoun and "it" in tokens):
            return True  # 'the one with her foreword', 'is that one published?', 'where can I read it?'
        documents = self._lex.one_document_words
        return any(
            token in SINGULAR_DETERMINERS and any(t in documents for t in tokens[i + 1 : i + 1 + DETERMINER_REACH])
            for i, token in enumerate(tokens)
        )

    def _one_review_unnamed(
        self, best: Candidate, tokens: Tokens, hits: list[Hit], plural: bool, period: Period | None
    ) -> bool:
        """'When was the briefing published?', 'what was the learning from the LCSPR': one review is meant,
        where a list or a definition would otherwise answer."""
        listing = best.intent == "latest_reviews" and not any(t in self._lex.recency_words for t in tokens)
        about_one = tokens[-1] == "about" or any(  # 'the 2024 LCSPR - what was it about?', not 'reading about'
            t in self._lex.content_words and t != "about" for t in tokens
        )
        defining = best.intent == "glossary" and (not best.asked or about_one)
        past = best.intent == "how_reviews_work" and "was" in tokens  # 'when was the review published?'
        dated = period is not None and not (defining and about_one)
        return (
            (listing or defining or past)
            and not plural
            and not dated
            and self.asks_for_one(tokens)
            and not any(h.ref.kind == "review" for h in hits)
            and not self._entities.review_by_type(hits)
        )

    def _unnamed_review_choices(
        self, tokens: Tokens, best: Candidate, hits: list[Hit], plural: bool
    ) -> tuple[Ref, ...]:
        """'Send me the briefing', 'what did the chair say in her foreword': one review is meant but none is
        named, so ask which: the reviews whose statements were matched, else the most recent ones. 'The
        serious case review' names the only one of its type."""
        entities = self._entities
        by_type = [] if plural else entities.review_by_type(hits)
        if by_type:
            return (by_type[0].ref,)
        if plural or not self.asks_for_one(tokens):
            return ()  # 'what did the chair say' hears every statement; 'the foreword' is in one document
        if best.intent != "statement":
            return entities.recent_reviews()
        said_by = unique(
            Ref("review", entities.statement_review[h.ref.id])
            for h in best.hits
            if h.ref.kind == "statement" and h.ref.id in entities.statement_review
        )
        if not best.hits:
            # every review with a statement, home partnership's first, newest first
            said_by = entities.all_said[:CHOICES]
        return tuple(sorted(said_by, key=entities.recency.__getitem__)[:CHOICES]) if len(said_by) > 1 else ()

    def _in_period(self, r: Reading, match: Match, period: Period) -> Match:
        """'What came out in July 2024?' lists that month's publications; 'the LSCPR published in July' asks
        for one of them: that review when only one fits, else a choice between them. A year before the first
        local publication ('a city review from 2016') is the archive's."""
        fitting = self._entities.published_in(period)
        first = self._entities.first_local_year
        if not fitting and period.year is not None and first is not None and period.year < first:
            r.note("clarify", "a year before the first local publication: the archive")
            return Match(ReplyKind.ANSWER, "archive", confidence=match.confidence)
        asks_for_one = not r.plural and self.asks_for_one(r.tokens)
        if asks_for_one and len(fitting) == 1:
            r.note("clarify", "one review was published then")
            return Match(ReplyKind.ANSWER, "review", fitting, match.confidence)
        if asks_for_one and fitting:
            r.note("clarify", "one review meant: which of those published then?")
            confidence = match.confidence - AMBIGUITY_MARGIN
            return Match(ReplyKind.CLARIFY, None, confidence=confidence, choices=fitting[:CHOICES])
        if r.trace is not None:
            r.note("clarify", f"the publications of {period.label()}")
        return replace(match, period=period)

    def partial(self, r: Reading) -> Match:
        """No confident answer: offer reviews the words half-name ('child', 'july'), else fall back."""
        tokens, plural, entities = r.tokens, r.plural, self._entities
        generic = self._lex.generic_review_words
        about_reviews = any(t in generic for t in tokens)
        period = period_of(tokens)
        if period is not None and plural:  # 'reviews from 2024'
            return Match(ReplyKind.ANSWER, "latest_reviews", confidence=THRESHOLD, period=period)
        if r.hits:
            r.note("clarify", "entries named, but no confident answer")
            return Match(ReplyKind.FALLBACK, None, unknown_review=about_reviews)
        # 'it' alone is no reference here: 'what time is it' asked nothing about a review
        the_one = any(t == "one" and "the" in tokens[max(0, i - 3) : i] for i, t in enumerate(tokens))  # 'the july one'
        about_documents = about_reviews or the_one or len(tokens) <= HALF_NAME_SHORT
        choices = (entities.half_named(tokens) if about_documents else ()) or (
            entities.recent_reviews() if not plural and self.asks_for_one(tokens, pronoun=False) else ()
        )  # not 'a child friendly version of a CP plan': no document is meant there
        if choices:  # 'the July one', 'whats the learning from the briefing'
            r.note("clarify", "nothing confident; the words half-name reviews")
            return Match(ReplyKind.CLARIFY, None, confidence=HALF_NAMED_CONFIDENCE, choices=choices)
        if tokens and all(t in generic or t in STOPWORDS for t in tokens) and about_reviews:
            r.note("clarify", "only review words: which review?")
            return Match(ReplyKind.CLARIFY, None, confidence=HALF_NAMED_CONFIDENCE, choices=entities.recent_reviews())
        r.note("clarify", "nothing confident: the fallback")
        return Match(ReplyKind.FALLBACK, None, unknown_review=about_reviews)
