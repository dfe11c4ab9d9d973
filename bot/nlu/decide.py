"""Decide: rank the candidate answers (intents with the entries they use) and turn the chosen one into a Match.

An intent scores from its own words; naming an entry it takes adds a bonus; an entry named alone is a
candidate of its natural intent. Penalties keep a cue word among strangers, or an entry named in passing,
from answering. Of two strong answers the one asked first leads and the other follows as 'also'.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from bot.kb.models import ReplyKind
from bot.nlu.english import ASKING_WHAT, EXAMPLE_PAIRS, EXAMPLE_WORDS, MORE_WORDS, SINCE_WORDS, STOPWORDS
from bot.nlu.entities import EntityIndex, unique
from bot.nlu.intents import AREA_INTENTS, INTENT_TAKES, LISTS, NEEDS_ENTRY, REVIEW_INTENTS, UNANCHORED_KINDS, Intents
from bot.nlu.lexicon import Lexicon
from bot.nlu.normalise import Tokens
from bot.nlu.thresholds import (
    FIRST_QUESTION_WINDOW,
    FULL_STRENGTH,
    INTENT_WITH_ENTITY_BONUS,
    NATURAL_PENALTY,
    ONE_CUE,
    OPENING_WORDS,
    THRESHOLD,
    UNKNOWN_WORD_PENALTY,
    UNUSED_ENTRY_PENALTY,
)
from bot.nlu.types import Candidate, Hit, Match, Reading, Ref

CHAT_AMONG_STRANGERS = 4
"""Words we do not know after an opening greeting or thanks, in a message that asks something: a question about
something else follows ('just saying hello and having a look around' asks nothing, and stays a greeting)."""
SECTOR_ASKED = frozenset({"for", "on", "about", "to", "learning", "briefing", "nspcc"})
"""Words just before a sector that ask about it: 'learning for GPs', 'NSPCC health', 'anything on housing'."""


COMPARING = frozenset({"same", "difference", "compare", "comparison", "versus", "vs", "both", "separate"})
"""Words that compare partnerships: each named is asked about, whatever town the writer is in."""


class Decide:
    """Ranking and the final choice, over one view's intents and names."""

    def __init__(self, lexicon: Lexicon, intents: Intents, entities: EntityIndex, vocabulary: frozenset[str]) -> None:
        self._lex = lexicon
        self._intents = intents
        self._entities = entities
        self._vocabulary = vocabulary
        self._order = {intent: i for i, intent in enumerate(intents.order)}

    def rank(self, r: Reading) -> list[Candidate]:
        """Every candidate answer, best first (ties: the intent listed first in the knowledge base)."""
        tokens, scores, positions, hits, plural = r.tokens, r.scores, r.positions, r.hits, r.plural
        entities = self._entities
        anchored = self.anchored(tokens, hits)
        unknown = self.unknown(tokens)
        candidates: list[Candidate] = []

        def asked_more(chat: str, cue: float) -> bool:
            return any(s >= cue and self._intents.kind(i) != ReplyKind.CHAT for i, s in scores.items() if i != chat)

        for intent, score in scores.items():
            kind = self._intents.kind(intent)
            takes = INTENT_TAKES.get(intent, frozenset())
            used = [h for h in hits if h.ref.kind in takes and entities.fits(intent, h.ref)]
            if not used and intent in REVIEW_INTENTS and score >= ONE_CUE and not plural:
                used = entities.review_by_type(hits)
            if intent in NEEDS_ENTRY and not used:
                continue
            if intent == "latest_reviews" and any(t in SINCE_WORDS for t in tokens):
                used = [h for h in hits if h.ref.kind == "review"]  # 'anything since Child E?': a reference point
            opening_chat = kind == ReplyKind.CHAT and positions.get(intent) == 0  # 'hello, first time using this'
            if intent in REVIEW_INTENTS and not used and not anchored:
                continue  # 'where can I park near City Hall?' asks nothing about a review
            if kind not in UNANCHORED_KINDS and not anchored and score < FULL_STRENGTH and not opening_chat:
                continue  # 'latest football news' touches no entry: one cue word is not enough (a refusal is)
            if opening_chat and intent != "help" and unknown >= CHAT_AMONG_STRANGERS and "?" in r.text:
                continue  # 'Hi. Can you check my training record?': a greeting before a question we do not know
            late = positions.get(intent, 0) >= OPENING_WORDS
            if kind == ReplyKind.CHAT and score < FULL_STRENGTH and late and asked_more(intent, score):
                continue  # '… my report tomorrow morning': a greeting's word inside a question is no greeting
            if used:
                entity = max(entities.hit_score(h) - NATURAL_PENALTY.get(h.ref.kind, 0.0) for h in used)
                weak = all(entities.is_weak(h) for h in used)
                bonus = INTENT_WITH_ENTITY_BONUS / 2 if weak else INTENT_WITH_ENTITY_BONUS
                total = min(100.0, max(score, entity) + bonus)
                if weak and any(
                    not entities.is_weak(h) and h.ref.kind != "resource" and not h.corrected
                    for h in hits
                    if h not in used
                ):
                    total -= UNUSED_ENTRY_PENALTY  # 'school nurse here: what is the Child E LCSPR?' asks about Child E
            else:
                strong_hits = any(  # a resource's alias ('thresholds') does not outweigh 'who do I ring'
                    not entities.is_weak(h) and h.ref.kind != "resource" and (not h.corrected or h.ref.kind == "review")
                    for h in hits
                )
                listed = LISTS.get(intent)  # 'neglect themes in reviews' asks about neglect, not for the list
                names_one = listed is not None and any(h.ref.kind == listed and not entities.is_weak(h) for h in hits)
                penalised = (takes and strong_hits and kind == ReplyKind.ANSWER) or names_one
                total = score - (UNUSED_ENTRY_PENALTY if penalised else 0.0)
                if kind == ReplyKind.ANSWER and score <= ONE_CUE:
                    total -= UNKNOWN_WORD_PENALTY * max(0, unknown - 1)  # one cue word among strangers
            candidates.append(Candidate(intent, kind, total, tuple(used), positions.get(intent, 0), cue=score))
        taken = {h.ref for c in candidates for h in c.hits}
        by_intent: dict[str, list[Hit]] = defaultdict(list)
        for hit in hits:
            if hit.ref not in taken:
                by_intent[entities.natural_intent(hit.ref)].append(hit)
        for intent, used in by_intent.items():
            if all(h.ref.kind == "partnership" for h in used) and self._says_more(tokens, hits):
                continue  # 'ASYE pay scale Rutland?', 'snow in Rutland': a place named in passing asks nothing about it
            score = max(entities.hit_score(h) - NATURAL_PENALTY.get(h.ref.kind, 0.0) for h in used)
            if all(entities.is_weak(h) for h in used):
                if unknown and all(entities.is_sector(h.ref) for h in used):
                    continue  # 'pay scale for a newly qualified teacher': a sector named in passing, not a question
                score -= UNKNOWN_WORD_PENALTY * unknown  # 'Coventry SCR Daniel Pelka' is not about our glossary
                if any(not entities.is_weak(h) for h in hits):
                    score -= UNUSED_ENTRY_PENALTY  # 'neglect themes from SCRs': the theme is the subject
            first = min(p for h in used for p in h.positions)
            candidates.append(Candidate(intent, ReplyKind.ANSWER, score, tuple(used), first, asked=False))
        order = self._order
        candidates.sort(key=lambda c: (-c.score, order.get(c.intent, 99)))
        return candidates

    def unknown(self, tokens: Tokens) -> int:
        """Words of three letters or more that nothing in the knowledge base or the rules uses."""
        return sum(len(t) >= 3 and t not in self._vocabulary and t not in STOPWORDS for t in tokens)

    def anchored(self, tokens: Tokens, hits: list[Hit]) -> bool:
        """Does the question touch the domain at all? Guards against 'latest football news'."""
        return bool(hits) or self.unknown(tokens) == 0 or any(t in self._lex.generic_review_words for t in tokens)

    def _says_more(self, tokens: Tokens, hits: list[Hit]) -> bool:
        """Words beyond the names hit and stopwords, none about partnerships: the question is about something
        else ('ASYE pay scale Rutland?'), not the partnership ('is Rutland covered by the city board?')."""
        named = {p for h in hits for p in h.positions}
        rest = [t for i, t in enumerate(tokens) if t not in STOPWORDS and i not in named]
        asks_what = any(t in ASKING_WHAT for t in tokens)
        return bool(rest) and not asks_what and not any(t in self._lex.partnership_words for t in rest)

    def lists_examples(self, r: Reading) -> Match | None:
        """'Which themes, eg neglect, DA?': the list of themes, the ones named being examples; else None."""
        named_themes = [h for h in r.hits if h.ref.kind == "theme" and not self._entities.is_weak(h)]
        if r.scores.get("themes", 0.0) >= FULL_STRENGTH and only_examples(r.tokens, named_themes):
            r.note("decide", "the themes named are examples of the list asked for")
            return Match(ReplyKind.ANSWER, "themes", confidence=r.scores["themes"])
        return None

    def first_mentioned(self, candidates: list[Candidate]) -> Candidate:
        """Of two strong answers ('link to Child E, and what is an LCSPR?'), the practitioner's first question
        leads; the other follows as 'also'. Same entries: the intent asked first; different: the entry named first."""
        best = candidates[0]
        is_weak = self._entities.is_weak
        rivals = [
            c
            for c in candidates[1:]
            if c.kind == ReplyKind.ANSWER
            and best.kind == ReplyKind.ANSWER
            and c.asked
            and best.asked
            and c.hits
            and not all(is_weak(h) for h in c.hits)  # 'teacher here, ...' says who asks, not what
            and c.score >= THRESHOLD
            and best.score - c.score <= FIRST_QUESTION_WINDOW
        ]

        def first_entry(c: Candidate) -> int:
            return min((p for h in c.hits for p in h.positions), default=c.position)

        lead = best
        for rival in rivals:
            if {h.ref for h in rival.hits} == {h.ref for h in lead.hits}:
                earlier = rival.position < lead.position and rival.cue >= max(ONE_CUE, lead.cue)
            else:
                earlier = first_entry(rival) < first_entry(lead)
            if earlier:
                lead = rival
        return lead

    def final(self, best: Candidate, candidates: list[Candidate], tokens: Tokens) -> Match:
        """The chosen candidate as a Match, with the next strong answer about other entries as 'also'."""
        if best.kind != ReplyKind.ANSWER:
            return Match(best.kind, best.intent, confidence=best.score)
        themes = tuple(h for h in best.hits if h.ref.kind == "theme")
        asked_themes = tuple(h for h in themes if not self._entities.is_sector(h.ref) or self._asked_for(h, tokens))
        if best.intent == "national_repository" and asked_themes:
            # 'NSPCC learning on neglect', 'learning for nurses': that theme's briefing; in 'night nurse: where
            # is the case review repository?' the sector only says who asks
            best = replace(best, intent="theme", hits=asked_themes)
        refs = unique(h.ref for h in best.hits)
        if best.intent == "how_reviews_work" and not any(r.kind == "topic" for r in refs):
            refs = (*self._entities.topic(tokens), *refs)
        also = tuple(
            (c.intent, unique(h.ref for h in c.hits))
            for c in candidates
            if c is not best and c.hits and c.score >= FULL_STRENGTH and not {h.ref for h in c.hits} & set(refs)
        )[:1]
        tied = tuple(
            c.intent
            for c in candidates
            if c.intent != best.intent
            and c.kind == ReplyKind.ANSWER
            and c.asked
            and c.score == best.score
            and {h.ref for h in c.hits} == {h.ref for h in best.hits}
        )
        return Match(ReplyKind.ANSWER, best.intent, refs, round(best.score, 1), also=also, tied=tied)

    def finish(self, match: Match, r: Reading) -> Match:
        """The areas a question about partnerships names, and other partnerships' namesakes of the review."""
        if match.intent in AREA_INTENTS:
            match = self.by_place(self._with_areas(match, r.tokens), r.tokens)
        if r.alternatives and match.kind == ReplyKind.ANSWER and any(ref.kind == "review" for ref in match.refs):
            match = replace(match, alternatives=r.alternatives)
        return match

    def by_place(self, match: Match, tokens: Tokens) -> Match:
        """'I work in Melton, am I under the city board or someone else?': a town of one partnership's area
        names the partnership whose page or numbers answer; another partnership named beside it is a guess to
        correct ('are we under the city board or the county one?'). Two compared ('is the Leicester board the same
        as the Leicestershire one? I work in Oadby') are both asked about."""
        placed = self._entities.placed(tokens)
        if len(placed) != 1 or COMPARING.intersection(tokens):
            return match
        covering = Ref("partnership", placed[0])
        return replace(match, refs=(covering, *(ref for ref in match.refs if ref.kind != "partnership")))

    @staticmethod
    def _asked_for(hit: Hit, tokens: Tokens) -> bool:
        """A sector asked about ('learning for nurses', 'the health briefing'), not the speaker ('night nurse here')."""
        first = min(hit.positions)
        return bool(SECTOR_ASKED.intersection(tokens[max(0, first - 2) : first]))

    def _with_areas(self, match: Match, tokens: Tokens) -> Match:
        """'Duty numbers for the city, the county and Rutland': 'city' and 'county' name areas only here,
        where the question is about the partnerships or their contacts ('Leicester City' is a football club)."""
        areas = [Ref("partnership", p) for word, p in self._entities.area_words.items() if word in tokens]
        added = [ref for ref in areas if ref not in match.refs]
        return replace(match, refs=(*match.refs, *added)) if added and (match.refs or len(areas) > 1) else match


def only_examples(tokens: Tokens, hits: list[Hit]) -> bool:
    """'Which themes are there, eg neglect, DA?', 'what subjects - neglect, DA, what else?': every entry hit is
    named after 'eg' or 'like', or before 'what else' or 'etc': examples of the list asked for, not the subject."""
    marker = next(
        (i for i, t in enumerate(tokens) if t in EXAMPLE_WORDS or (t, *tokens[i + 1 : i + 2]) in EXAMPLE_PAIRS),
        None,
    )
    named = [p for h in hits for p in h.positions]
    more = next((i for i, t in enumerate(tokens) if t in MORE_WORDS and i > 0), None)  # 'DA, what else?', 'what other'
    return bool(named) and ((marker is not None and min(named) > marker) or (more is not None and max(named) < more))
