"""Understand a question: which entries it names, what it asks for, how sure we are.

`Matcher` is built once per public view (so nothing hidden is ever indexed) and runs a pipeline of small
components over one typed `Reading` per question, in this order:

  normalise -> spelling -> entities -> intent scores -> safety (urgent first) -> scope (refusals, other
  areas, names we do not hold) -> clarify -> decide

Each component has its own module under bot/nlu/; every threshold is in bot/nlu/thresholds.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial

from bot.heap import builds_in_bulk
from bot.kb.models import KnowledgeBase, ReplyKind
from bot.nlu.clarify import Clarify
from bot.nlu.decide import Decide
from bot.nlu.english import STOPWORDS, english_words
from bot.nlu.entities import EntityIndex, latest_date, period_of
from bot.nlu.intents import ACTION_KIND, INTENT_TAKES, NEEDS_ENTRY, Intents, action_for
from bot.nlu.lexicon import Lexicon
from bot.nlu.normalise import Synonyms, Tokens, normalise, normalise_words, words
from bot.nlu.safety import FOR_REFERENCE, Safety
from bot.nlu.scope import Scope
from bot.nlu.sentences import asked_span, last_asking, sentences
from bot.nlu.spelling import Spelling
from bot.nlu.thresholds import AMBIGUITY_MARGIN, FULL_STRENGTH, THRESHOLD
from bot.nlu.types import Candidate, Hit, Match, Period, Reading, Ref

__all__ = [
    "ACTION_KIND",
    "AMBIGUITY_MARGIN",
    "INTENT_TAKES",
    "NEEDS_ENTRY",
    "STOPWORDS",
    "THRESHOLD",
    "Candidate",
    "Hit",
    "Match",
    "Matcher",
    "Period",
    "Reading",
    "Ref",
    "action_for",
    "latest_date",
    "period_of",
]


LONG_MESSAGE_WORDS = 40
"""From this many words a message tells a story before it asks."""
SPEAKERS_OWN = frozenset({"our", "my", "we", "us"})
"""In a question after a story about another area: the speaker's own, that area's ('our Child E review')."""
ASKING_OPENERS = (
    "what",
    "where",
    "when",
    "who",
    "which",
    "why",
    "how",
    "is there",
    "are there",
    "any ",
    "anything",
    "can you",
    "could you",
    "can i",
    "could i",
    "do you",
    "have you",
    "please",
    "pls",
    "i need",
    "i would like",
    "id like",
    "i'd like",
    "looking for",
    "is it",
    "does",
    "do ",
    "did ",
    "has there",
    "have there",
    "was there",
    "were there",
    "should i",
    "should we",
)
"""How a last sentence that asks begins, when it ends without a question mark."""
OFF_TOPIC = "offtopic"
"""What the synonyms make of 'totally unrelated', 'off topic': the last question owes nothing to the story."""


def last_question(text: str) -> str | None:
    """The last sentence that asks something ('?'), in a message long enough to tell a story first; None
    in a short message, or when the last question is the whole message."""
    if len(text.split()) < LONG_MESSAGE_WORDS:
        return None
    told = sentences(text)
    asked = [s for s in told if s.rstrip().endswith("?")]
    if not asked and told[-1].lower().startswith(ASKING_OPENERS):
        asked = told[-1:]  # 'Where can I read it.', 'any learning on this' typed without a question mark
    return asked[-1] if asked and asked[-1].strip() != text.strip() else None


ACRONYM = 6
"""The longest acronym: longer one-word names ('Rutland') are words, never spelt out."""


def acronyms_of(view: KnowledgeBase, norm: Callable[[str], Tokens]) -> frozenset[str]:
    """The knowledge base's acronyms, normalised: one-word names of terms, partnerships, themes and resources
    ('LSCB', 'NSPCC', 'CSE')."""
    names = [t.term for t in view.terms] + [a for t in view.terms for a in t.aliases]
    names += [p.short_name for p in view.partnerships] + [a for p in view.partnerships for a in p.aliases]
    names += [a for theme in view.themes for a in theme.aliases] + [a for r in view.resources for a in r.aliases]
    return frozenset(n[0] for n in map(norm, names) if len(n) == 1 and n[0].isalpha() and 2 < len(n[0]) <= ACRONYM)


class Matcher:
    """Fuzzy understanding over one public view of the knowledge base."""

    @builds_in_bulk
    def __init__(self, view: KnowledgeBase, home_partnership: str | None = None) -> None:
        self.synonyms = Synonyms((s.canonical, s.variants) for s in view.synonyms)
        lexicon = Lexicon.of(view, self.norm)
        english = english_words()
        self.intents = Intents(view, self.norm)
        self.entities = EntityIndex(view, self.norm, lexicon, home_partnership)
        self._vocabulary = frozenset(self.intents.vocabulary | self.entities.vocabulary)
        acronyms = acronyms_of(view, self.norm) - english  # 'police' is a word, never spelt out
        refusal_words = frozenset(self.intents.refusal_words)  # 'LeDeR' is no slip of 'leader'
        self.spelling = Spelling(self._vocabulary, self.entities.names, english, lexicon, acronyms, refusal_words)
        self.safety = Safety(lexicon, self.intents, self.entities)
        starts = partial(self.sentence_starts, shortest=0)  # every message's sentences, read by Scope when needed
        self.scope = Scope(lexicon, self.entities, self._vocabulary, english, self.norm, starts)
        self.decide = Decide(lexicon, self.intents, self.entities, self._vocabulary)
        self.clarify = Clarify(lexicon, self.entities, self.decide)
        self.lexicon = lexicon
        self.home_partnership = self.entities.home_partnership

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every normalised word the knowledge base and the rules use (for redaction of unknown words)."""
        return self._vocabulary

    def intent_kind(self, intent: str) -> ReplyKind:
        """The reply kind an intent produces (chat for greetings, urgent for concerns)."""
        return self.intents.kind(intent)

    def norm(self, text: str) -> Tokens:
        """Normalise text the way every phrase of the knowledge base was (synonyms included)."""
        return normalise(text, self.synonyms)

    def tokens(self, text: str) -> tuple[Tokens, frozenset[int]]:
        """Normalised tokens with typos corrected, and the positions that were corrected."""
        return self.spelling.correct(self.spelling.join_spelled(self.norm(text)))

    def sentence_starts(self, text: str, length: int, shortest: int = LONG_MESSAGE_WORDS) -> tuple[int, ...]:
        """Where each sentence of a message of `shortest` words or more starts among its tokens; empty for a
        shorter message, or when sentences read apart do not add up to the whole (a synonym spanning two)."""
        if len(text.split()) < shortest:
            return ()
        told = sentences(text)
        if len(told) < 2:
            return ()
        starts, at = [], 0
        for sentence in told:
            starts.append(at)
            at += len(self.tokens(sentence)[0])
        return tuple(starts) if at == length and len(starts) > 1 else ()

    def said_not_urgent(self, text: str) -> bool:
        """The writer says no child is at risk now ('not urgent', 'no immediate risk', 'for my notes'), or tells
        of grown-ups only ('she is 34')."""
        tokens, _ = self.tokens(text)
        if self.safety.about_adults(tokens):
            return True
        if not (self.safety.writer_says_not_urgent(tokens) or FOR_REFERENCE in tokens):
            return False
        return not self.harm_now(text)

    def harm_now(self, text: str) -> bool:
        """A life at risk now, or harm to a child told of the last hours ('both kids came into school today with
        marks on their faces'): what no reading of the rest of the message may set aside."""
        tokens, corrected = self.tokens(text)
        masked = self.safety.masked(tokens, self.entities.hits(tokens, corrected))
        return self.safety.urgent_whatever_said(tokens, masked, self.sentence_starts(text, len(tokens), 0))

    def urgent_where_asked(self, text: str) -> bool:
        """The sentence a message of several asks in (its last question, else its last sentence) tells of one
        child now with a concern, and read alone is urgent ('…the new referral form next week. A baby in my care
        has a bruise and I am worried she is in danger now.'): what is asked decides, so no reading of the rest of
        the message may set it aside. ('Who would I ring if I had a worry about a child?' tells of no child now.)"""
        parts = sentences(text)
        if len(parts) < 2:
            return False
        i = last_asking(parts)
        asked = parts[-1 if i is None else i]
        return self.safety.tells_now(self.tokens(asked)[0]) and self.match(asked).kind == ReplyKind.URGENT

    def entries_of(self, text: str, kinds: frozenset[str]) -> tuple[Ref, ...]:
        """The entries of these kinds the question names, first named first ('LRSCP' is a term and a
        partnership: asked who they are, the partnership)."""
        tokens, corrected = self.tokens(text)
        hits = sorted(self.entities.hits(tokens, corrected), key=lambda h: min(h.positions))
        return tuple(dict.fromkeys(h.ref for h in hits if h.ref.kind in kinds))

    def for_children(self, match: Match) -> bool:
        """An answer only children's services give: a theme, a partnership, or contacts naming none but the duty
        teams and referral routes of our partnerships ('who do I call about my dad's carer?'; not the police's
        101)."""
        if match.intent == "contacts":
            return all(ref.id in self.entities.area_contacts for ref in match.refs if ref.kind == "contact")
        return match.intent in {"theme", "about"}  # 'my nan's carer takes her money… who deals with that?'

    def clear_caches(self) -> None:
        """Forget cached spelling corrections (the benchmark starts every pass cold)."""
        self.spelling.clear_cache()

    def match(self, text: str, *, urgency: bool = True) -> Match:
        """Understand one question. Never raises for any text. In a long message the question asked last
        decides what is answered, unless the whole message is urgent: context told first ('the police are
        investigating', 'a baby') must not take the answer away from the question, and a question about a case
        we do not hold ('can you summarise Nottingham's latest reviews?') is not answered with ours because
        the story mentioned Leicester. Another area told in the story ('they know the London reviews') leaves a
        question about ours answerable, unless the question asks about the speaker's own ('our Child E')."""
        reading = Reading(text, urgency=urgency)
        whole = self.read(reading)
        if whole.kind == ReplyKind.URGENT:
            return whole
        shifted = self.after_a_change_of_subject(text) if OFF_TOPIC in reading.raw else None
        if shifted is not None:  # 'read the Child E briefing… Separate thing though, …': the story stays behind
            return replace(self.read(Reading(shifted, urgency=urgency)), from_last_question=shifted)
        last = last_question(text)
        if last is None:
            return whole
        asked = self.read(Reading(last, urgency=urgency))
        confident = asked.kind == ReplyKind.ANSWER and asked.confidence >= THRESHOLD
        asked_tokens = self.norm(last)
        if OFF_TOPIC in asked_tokens:  # '…anyway, totally unrelated, but…': the story does not carry over
            alone = True
        elif whole.someone_elses:  # another area in the story: ours only when the question is not about theirs
            speakers_own = SPEAKERS_OWN.intersection(asked_tokens)  # 'at Lincolnshire SCP… our Child E review'
            # a theme asked after a story of grown-ups only ('a 19 year old care leaver… who handles adult
            # exploitation?') is the grown-up's, as the whole message says
            grown_ups = self.for_children(asked) and self.safety.grown_ups_asking_no_learning(self.tokens(text)[0])
            alone = confident and not speakers_own and not grown_ups
        else:  # 'check my essay… when was Patricia published?'; 'what did Derby's review find?'
            # a refusal told in the story is set aside only by a question asked at full strength: 'GDPR question…
            # a dad with parental responsibility wants a copy… within what timescale?' asks no review's timescale
            sure = asked.confidence >= FULL_STRENGTH
            alone = (confident and bool(asked.refs or (whole.refused and sure))) or (
                asked.someone_elses and whole.kind == ReplyKind.ANSWER
            )
        return replace(asked, from_last_question=last) if alone else whole

    def after_a_change_of_subject(self, text: str) -> str | None:
        """The sentences from the last that changes the subject ('Separate thing though, …', 'Different
        question: …', written `OFF_TOPIC`) to the end, where something is told before it; None otherwise."""
        told = sentences(text)
        changes = [i for i, sentence in enumerate(told) if OFF_TOPIC in self.norm(sentence)]
        return " ".join(told[changes[-1] :]) if changes and changes[-1] > 0 else None

    def read(self, r: Reading) -> Match:
        """The pipeline over one reading; each step fills the reading in, or answers. Pass a reading with a
        `trace` list (and `why` dict) to have every step say what it decided."""
        r.bare = words(r.text)  # normalise
        r.raw = self.spelling.join_spelled(normalise_words(r.bare, self.synonyms))
        r.tokens, r.corrected = self.spelling.correct(r.raw)  # spelling
        if not r.tokens:
            r.note("normalise", "no words: the help menu")
            return Match(ReplyKind.CHAT, "help", confidence=100.0)
        r.named = self.entities.hits(r.tokens, r.corrected)  # entities
        r.scores, r.positions = self.intents.scores(r.tokens, r.why)  # intent scores
        r.sentence_starts = self.sentence_starts(r.text, len(r.tokens))
        asked = asked_span(r.text, r.sentence_starts, len(r.tokens))
        every = r.sentence_starts or self.sentence_starts(r.text, len(r.tokens), 0)  # short messages' too
        safety = self.safety.decide(r.tokens, r.named, r.scores, r.sentence_starts, asked, every)  # urgent first
        if r.trace is not None:
            r.note("safety", safety.describe())
        if safety.urgent and r.urgency:
            return Match(ReplyKind.URGENT, "urgent", confidence=safety.score)
        r.scores.pop("urgent", None)
        for refusal in [i for i in r.scores if self.intents.kind(i) == ReplyKind.FALLBACK]:
            if refusal in safety.refusals:  # a request is made in one sentence: refusals meet within one
                r.scores[refusal] = safety.refusals[refusal]
            else:
                del r.scores[refusal]
        if safety.refused:  # scope: 'what is the real name of the child in ...': never
            return self.scope.refusal(r)
        r.hits, r.alternatives, clash = self.entities.resolve_same_names(r.named)
        r.hits = self.scope.without_theirs(r.tokens, r.hits)  # scope: 'Nottingham City children's services'
        r.hits = self.entities.speakers_as_partnerships(r.tokens, r.hits)  # 'who is <the chair>?': her partnership
        r.plural = self.spelling.plural_documents(r.bare)  # 'the older SCRs' names no one review
        if clash:  # clarify: 'Child E' of other partnerships only
            r.note("clarify", "namesakes of other partnerships: which one?")
            return self.clarify.namesakes(clash)
        elsewhere = self.scope.elsewhere(r)  # scope: other areas, names we do not hold
        if elsewhere is not None:
            return elsewhere
        examples = self.decide.lists_examples(r)  # 'which themes, eg neglect': the list
        if examples is not None:
            return examples
        r.candidates = candidates = self.decide.rank(r)  # decide
        if candidates and candidates[0].score >= THRESHOLD:
            best = self.decide.first_mentioned(candidates)
            decided = self.decide.finish(self.clarify.settle(best, candidates, r), r)  # clarify, then decide
            # scope: 'my son is 30, in and out of mental health units… help?'; 'my dad is 84… his carer takes
            # money from his account… who do I report this to?' (a weak match to 'account' asks no process)
            weak = decided.kind == ReplyKind.ANSWER and decided.confidence < FULL_STRENGTH
            if (self.for_children(decided) or weak) and self.safety.grown_ups_asking_no_learning(r.tokens):
                return self.scope.grown_ups(r)
            return decided
        return self.clarify.partial(r)  # nothing confident: half-named reviews, or the fallback
