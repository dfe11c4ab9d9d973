"""Scope: questions about what we do not hold. Another area's reviews (`places`), a case or name we do not hold,
a review of a partnership we hold none for (`unknown_names`): these fall back (pointing to the national
repository), never answered with one of our entries that happens to share a word.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from bot.kb.models import ReplyKind
from bot.nlu.entities import EntityIndex
from bot.nlu.lexicon import Lexicon
from bot.nlu.normalise import Tokens
from bot.nlu.places import Places
from bot.nlu.thresholds import FULL_STRENGTH
from bot.nlu.types import Hit, Match, Reading
from bot.nlu.unknown_names import UnknownNames

NOT_OUR_AREA = "notourarea"
"""What the synonyms make of 'this isn't really about Leicester': the question is about another area."""
AREA_KINDS = frozenset({"contact", "partnership"})
"""Entries that belong to an area: told right after another area's name, they are that area's."""


class Scope:
    """Recognises questions about other areas' cases and names we do not hold; built once per view."""

    def __init__(
        self,
        lexicon: Lexicon,
        entities: EntityIndex,
        vocabulary: frozenset[str],
        english: frozenset[str],
        norm: Callable[[str], Tokens],
        sentence_starts: Callable[[str, int], tuple[int, ...]] = lambda text, length: (),
    ) -> None:
        self._lex = lexicon
        self.places = Places(lexicon, entities, english, norm, sentence_starts)
        self.names = UnknownNames(lexicon, entities, vocabulary, norm, self.places, sentence_starts)

    def refusal(self, r: Reading) -> Match:
        """A request the bot must refuse (identify a child, write a chronology), sure and not urgent: the fallback."""
        r.note("scope", "refused: the question asks what the bot never answers")
        return Match(ReplyKind.FALLBACK, None, refused=True)

    def grown_ups(self, r: Reading) -> Match:
        """A theme read in a story of grown-ups only, asking no learning ('my son is 30… can you help me?'):
        adult safeguarding is another board's; the fallback, which the model may not answer."""
        r.note("scope", "a theme read in a story of grown-ups only, asking no learning: not ours")
        return Match(ReplyKind.FALLBACK, None, someone_elses=True)

    def elsewhere(self, r: Reading) -> Match | None:
        """A fallback (or the national repository) when the question is about a case we do not hold; else None."""
        tokens, hits = r.tokens, r.hits
        mistyped = frozenset(r.raw[i] for i in r.corrected if i < len(r.raw))
        other_area = NOT_OUR_AREA in tokens or self.places.names_other_area(
            tokens, hits, r.text
        )  # 'not about Leicester'
        if other_area or self.names.names_unknown_place(r.text, mistyped):
            scores = r.scores
            asks_where = max(scores.get("where_to_read", 0.0), scores.get("national_repository", 0.0))
            # 'a case review from Birmingham', 'Birmingham's reviews'
            any_review = r.plural or bool(self._lex.any_review & set(itertools.pairwise(tokens)))
            if (
                asks_where >= FULL_STRENGTH
                and any_review
                and not self.names.names_unknown_review(tokens, hits)
                and not self.places.abroad_only(tokens)  # 'In the US they have CPS… where are their reviews published?'
            ):
                r.note("scope", "asks where to read another area's reviews: the national repository")
                return Match(ReplyKind.ANSWER, "national_repository", confidence=FULL_STRENGTH)
            r.note("scope", "names another area")
            return Match(ReplyKind.FALLBACK, None, unknown_review=True, someone_elses=True)
        if self.names.names_unknown_review(tokens, hits, r.text):
            r.note("scope", "names a review we do not hold ('Child F', 'baby Jayden')")
        elif self.names.names_someone_else(r.text, tokens, hits):
            r.note("scope", "a full name we do not know beside a review word")
        elif self.names.names_review_of_partnership_without_any(tokens, r.named, r.text):
            r.note("scope", "a review of a partnership we hold no reviews for")
        else:
            r.note("scope", "in scope")
            return None
        return Match(ReplyKind.FALLBACK, None, unknown_review=True, someone_elses=True)

    def without_theirs(self, tokens: Tokens, hits: list[Hit]) -> list[Hit]:
        """Drop the duty teams and partnerships whose names start inside or right after another area's name:
        'Nottingham City children's services' is Nottingham's duty team, not our city's."""
        if not hits:
            return hits
        theirs = {j for i, n in self.places.areas(tokens) for j in range(i + 1, i + n + 1)}
        return [h for h in hits if h.ref.kind not in AREA_KINDS or min(h.positions) not in theirs]
