"""Scope: questions about what we do not hold. Another area's reviews, a case or name we do not hold, a
review of a partnership we hold none for: these fall back (pointing to the national repository), never
answered with one of our entries that happens to share a word.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from functools import lru_cache

from bot.kb.models import ReplyKind
from bot.nlu.english import ABOUT_SOMEONE, AGE_UNITS, NAMING, STOPWORDS
from bot.nlu.entities import EntityIndex
from bot.nlu.lexicon import Lexicon
from bot.nlu.normalise import Tokens
from bot.nlu.sentences import asked_span, sentence_of, sentence_start
from bot.nlu.spelling import MAX_PIECE
from bot.nlu.thresholds import FULL_STRENGTH, MAX_SCAN, NAME_REACH, ORIGIN_REACH, WORD_CACHE_SIZE
from bot.nlu.types import Hit, Match, Reading

NOT_OUR_AREA = "notourarea"
"""What the synonyms make of 'this isn't really about Leicester': the question is about another area."""
PLACE_OWNERS = frozenset({("safeguarding",), ("partnership",), ("council",)})
"""What follows a place's name when its partnership or council is meant."""
AREA_BODIES = PLACE_OWNERS | {("board",)}
"""After a place in the sentence that asks: that area's partnership ('what did the Warwickshire partnership say?')."""
SPEAKERS_OWN = frozenset({"our", "my"})
"""Before an area's name: the speaker's own team or office there ('our Coventry team')."""
ONES = frozenset({"one", "ones"})
"""After a place: that place's review or reviews ('the Sheffield one')."""
OWNING = frozenset({"from", "in", "of", "by", "for", "at"})
"""Between a case and the place that owns it: 'reviews in Kent', 'a child from Derby'."""
PRESENT_PLACE = frozenset(
    {("started", "at"), ("started", "in"), ("work", "at"), ("work", "in"), ("work", "for"), ("working", "at")}
    | {("working", "in"), ("working", "for"), ("based", "in"), ("based", "at"), ("now", "at"), ("now", "in")}
)
"""Right before another area: where the writer works now ('just started at Northamptonshire'), so 'here' is there."""
NOW_THERE = frozenset({("here", "in"), ("now", "in"), ("now", "at")})
"""Right before a place: where the writer is now, not where they come from."""
MOVED_HERE = frozenset({("moved",), ("came",), ("come",), ("coming",), ("moving",), ("relocated",)})
HERE_FROM = frozenset({("from",), ("in",)})
HERE_REACH = 8
"""How near a review's name 'here' stands to ask about a review there ('a local review here about Child C and D')."""
QUESTION_WORDS = frozenset({"what", "where", "which", "when", "who", "how"})
"""In the sentence that asks, what its question is about follows one of these."""
NOT_ASKED = frozenset({("not", "about"), ("not", "asking"), ("not", "talking"), ("nothing", "to")})
"""Before a place that is not what is asked: 'not asking about Rochdale itself', 'nothing to do with Kent'."""
POINTING_BACK = frozenset({"they", "their", "them", "theirs"})
"""In the sentence that asks, words that may point back to a place told before it ('what did they publish?')."""
POINTING_BACK_ANY = POINTING_BACK | {"it", "that", "this", "there", "one", "ones"}
"""In the sentence that asks, words that may point back to a case told before it ('was it…', 'that one')."""
THERE_IS = frozenset(
    {"is", "are", "was", "were", "be", "been", "has", "have", "had", "any", "anything", "over", "up", "back", "and"}
)
"""Before 'there' that is no place asked about: 'is there', 'anything there'; 'over there', 'up there' tell of
the writer's story as often as they ask."""
THERE_IS_AFTER = frozenset({("is",), ("are",), ("was",), ("were",), ("be",), ("been",), ("have",), ("has",)})
AREA_KINDS = frozenset({"contact", "partnership"})
"""Entries that belong to an area: told right after another area's name, they are that area's."""
ARTICLES = frozenset({"a", "i"})
"""Letters that are words too: after one of our names ('the baby a CSPR?') they name no other child."""
REVIEW_REACH = 4
"""How many words after a town a review word may follow, past words describing the case."""
LISTING = frozenset({("and",), ("or",)})
"""Between two places told together."""
ROLES = frozenset({"lead", "officer", "team", "manager", "nurse", "practitioner", "adviser", "advisor", "board"})
"""After 'safeguarding': a person's role ('Sarah, Safeguarding Lead'), not a partnership."""


def _titled(word: str) -> bool:
    """A capitalised word inside a sentence ('Ashbury', not 'DSL', not 'Oakham.' ending the one before)."""
    return word[:1].isupper() and not word.isupper() and word[-1:] not in {".", "?", "!", ",", ":", ";"}


VOWELS = frozenset("aeiouy")
"""A first name has a vowel; 'NQT', 'DSL' and 'PCSO' are roles."""


def asked_there(tokens: Tokens, after: int, asked: tuple[int, int] | None) -> bool:
    """'There' as a place after word `after`, in the sentence that asks (`asked`, when the message has several):
    'I'm from Wales. How does a review work there?' asks about the place told before, wherever the writer comes
    from. Not 'is there', 'there are', nor 'back there we had…' told in the story."""
    first, end = asked or (0, len(tokens))
    return any(
        t == "there" and tokens[j - 1] not in THERE_IS and tokens[j + 1 : j + 2] not in THERE_IS_AFTER
        for j, t in enumerate(tokens[max(after, first) : end], max(after, first))
        if j
    )


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
        self._entities = entities
        self._vocabulary = vocabulary
        self._english = english
        self._norm_word = lru_cache(maxsize=WORD_CACHE_SIZE)(norm)  # single words recur across questions
        self._other_areas = {norm(area) for area in lexicon.other_areas} - {()}
        self._other_area_lengths = sorted({len(area) for area in self._other_areas})
        self._abroad = {norm(place) for place in lexicon.abroad} - {()}
        self._sentence_starts = sentence_starts  # where each sentence of a message starts among its tokens
        self._namers = lexicon.name_words | lexicon.child_nouns | lexicon.generic_review_words  # '<a child> called …'
        self._describers = lexicon.recency_words | lexicon.review_describers  # 'Derby's latest / serious case …'
        self._owners = lexicon.case_words | lexicon.generic_review_words | lexicon.child_words  # 'reviews from …'
        # after a place that owns it: 'Derby's report', 'the Coventry baby'; not 'Kent years ago', which tells when
        self._owned = (self._owners | lexicon.one_document_words) - AGE_UNITS
        self._owners_before = self._owners - AGE_UNITS  # before a place: not '20 years in Sheffield' (how long)
        # our area named: a partnership's name or a town of ours ('Oakham'), not an everyday word ('Market')
        self._home_words = entities.home_area_words | {w for w in lexicon.home_places if not self._is_english(w)}

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
        other_area = NOT_OUR_AREA in tokens or self.names_other_area(tokens, hits, r.text)  # 'not about Leicester'
        if other_area or self.names_unknown_place(r.text, mistyped):
            scores = r.scores
            asks_where = max(scores.get("where_to_read", 0.0), scores.get("national_repository", 0.0))
            # 'a case review from Birmingham', 'Birmingham's reviews'
            any_review = r.plural or bool(self._lex.any_review & set(itertools.pairwise(tokens)))
            if (
                asks_where >= FULL_STRENGTH
                and any_review
                and not self.names_unknown_review(tokens, hits)
                and not self.abroad_only(tokens)  # 'In the US they have CPS… where are their reviews published?'
            ):
                r.note("scope", "asks where to read another area's reviews: the national repository")
                return Match(ReplyKind.ANSWER, "national_repository", confidence=FULL_STRENGTH)
            r.note("scope", "names another area")
            return Match(ReplyKind.FALLBACK, None, unknown_review=True, someone_elses=True)
        if self.names_unknown_review(tokens, hits, r.text):
            r.note("scope", "names a review we do not hold ('Child F', 'baby Jayden')")
        elif self.names_someone_else(r.text, tokens, hits):
            r.note("scope", "a full name we do not know beside a review word")
        elif self.names_review_of_partnership_without_any(tokens, r.named, r.text):
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
        theirs = {j for i, n in self._areas(tokens) for j in range(i + 1, i + n + 1)}
        return [h for h in hits if h.ref.kind not in AREA_KINDS or min(h.positions) not in theirs]

    def _is_english(self, token: str) -> bool:
        """An everyday word, also as a folded plural: 'lots' became 'lot', which is no first name."""
        return token in self._english or f"{token}s" in self._english

    def names_other_area(self, tokens: Tokens, hits: list[Hit], text: str = "") -> bool:
        """'Nottingham City CSPR 2023', 'Derby Child C and D': reviews or a partnership of an area we do not
        cover, even when our own reviews answer to the same description; not when our area is named too. `text`:
        the message, whose sentences bound what a place owns ('…from Kent. What reviews…' owns none)."""
        context = any(t in self._lex.area_context for t in tokens) or any(h.ref.kind == "review" for h in hits)
        if not context and not ONES.intersection(tokens):
            return False  # most questions: no word of reviews or partnerships, no 'the Nottingham one'
        areas = self._areas(tokens)
        padded = ("", *tokens, "")  # padded[i + 1] is tokens[i]
        theirs = [(i, n) for i, n in areas if padded[i + n + 1] in ONES]  # 'what did the Nottingham one say?'
        if not (context or theirs):
            return False
        namesakes = {i - 1 for i, _ in areas}  # 'Rutland, Vermont': a home town's namesake abroad is theirs
        starts = self._sentence_starts(text, len(tokens)) if text and areas else ()
        asked = asked_span(text, starts, len(tokens))  # the sentence that asks, in a message of several
        first, end = asked or (0, len(tokens))
        ours = [
            i
            for i, t in enumerate(tokens)
            if t in self._home_words
            and i not in namesakes
            and not self.comes_from(tokens, i, after_from=False, starts=starts)
            and tokens[max(0, i - 2) : i] != ("not", "the")  # 'not the Leicester C and D one, the Leeds review'
        ]
        if self._here_is_theirs(tokens, areas, hits):
            return True  # 'I've just started at Northamptonshire… a local review here about Child C and D'
        if self._review_there(tokens, areas, hits, starts, asked, ours):
            return True  # 'I used to work in Sheffield and there was a baby serious case review there… is it online?'
        wants_ours = tokens[end - 1 : end] == ("our",)  # 'I keep ending up on the Northamptonshire ones… I need ours'
        if not wants_ours and any(tokens[max(0, i - 2) : i] != ("not", "the") and first <= i < end for i, n in theirs):
            return True  # asked about as theirs: 'what happened with the Sheffield one?', 'from that Bedford one'
        if ours:
            # ours named too: theirs only when asked about as theirs (above; not 'the Leicester one, not the
            # Nottingham one'), or when the sentence that asks names their case and not ours ('tell me about the
            # Patricia review from Kirklees? not the Leicester one'; not 'I read of a Child E from Croydon. Not
            # that one: is the Leicester Child E an LCSPR?', 'Leicester and Derby reviews')
            owning = [
                i
                for i, n in areas
                if first <= i < end
                and (self.owns(tokens, i, n, hits, starts) or tuple(tokens[i + n : i + n + 1]) in AREA_BODIES)
            ]
            # theirs when the question word is followed by their case and not ours ('I know you cover Leicester's
            # reviews, so where would I look for Northamptonshire's published ones?'), or when their case is told
            # first in the sentence that asks: 'the Sheffield Child E review, when was that published? someone
            # said it tied in with the Leicester one'
            asking = max((j for j in range(first, end) if tokens[j] in QUESTION_WORDS), default=end)
            if any(i > asking for i in owning) and not any(asking < i < end for i in ours):
                return True
            return bool(owning) and min(owning) < min((i for i in ours if first <= i < end), default=end)
        if "national" in tokens:
            return False  # 'where do I find other areas' reviews?', 'the national panel looked at a case in Solihull'
        told = self._told_in_passing(tokens, starts, asked, hits)
        # a case of the writer's own past told before a general question ('I was part of one in Bristol years
        # ago… Are reviews meant to blame the social worker?'): no review named, nothing in the question points back
        general = (
            asked is not None
            and not any(h.ref.kind == "review" for h in hits)
            and not POINTING_BACK_ANY.intersection(tokens[asked[0] : asked[1]])
        )
        return any(  # 'our Coventry team', 'the Derby hub', 'our trainer in Lincoln': where someone works
            padded[i + n + 1] not in self._lex.unit_words
            and (padded[i] not in SPEAKERS_OWN or tuple(tokens[i + n : i + n + 1]) in AREA_BODIES)  # 'our Derby board'
            and not (padded[i] in {"in", "at"} and SPEAKERS_OWN.intersection(padded[max(0, i - 3) : i]))
            and not NOT_ASKED.intersection(itertools.pairwise(tokens[max(0, i - 3) : i]))
            and (
                (
                    self.owns(tokens, i, n, hits, starts)
                    and not (general and told(i) and self.comes_from(tokens, i, n, starts=starts))
                )
                or asked_there(tokens, i + n, asked)
                or not (
                    told(i)
                    or self.comes_from(tokens, i, n, starts=starts)
                    or self._listed_with_origin(tokens, i, n, areas)
                )
            )
            for i, n in areas
        )

    def _listed_with_origin(self, tokens: Tokens, i: int, n: int, areas: list[tuple[int, int]]) -> bool:
        """The place at word i is listed with another ('Telford and Oxford when I trained') that the writer
        comes from: they share the phrase of origin."""
        if tokens[i + n : i + n + 1] not in LISTING or i + n + 1 >= len(tokens):
            return False
        listed = next((m for j, m in areas if j == i + n + 1), 1)  # another area, or a place of one word
        return self.comes_from(tokens, i + n + 1, listed)

    @staticmethod
    def _here_is_theirs(tokens: Tokens, areas: list[tuple[int, int]], hits: list[Hit]) -> bool:
        """The writer works in another area now ('just started at Northamptonshire', 'I work in Derby') and asks
        about a review 'here': theirs, whatever our review's name ('a local review here about Child C and D').
        Not 'moved here', 'here in Leicester', 'here from Derby'."""
        present = any(tuple(tokens[max(0, i - 2) : i]) in PRESENT_PLACE for i, _ in areas)
        if not present:
            return False
        reviews = {p for h in hits if h.ref.kind == "review" for p in h.positions}
        return any(
            t == "here"
            and tokens[j - 1 : j] not in MOVED_HERE
            and tokens[j + 1 : j + 2] not in HERE_FROM
            and any(abs(p - j) <= HERE_REACH for p in reviews)
            for j, t in enumerate(tokens)
            if j
        )

    def _review_there(
        self,
        tokens: Tokens,
        areas: list[tuple[int, int]],
        hits: list[Hit],
        starts: tuple[int, ...],
        asked: tuple[int, int] | None,
        ours: list[int],
    ) -> bool:
        """A review told 'there' in a sentence naming another area and none of ours ('I used to work in Sheffield
        and there was a baby serious case review there'): theirs, unless the sentence that asks names a review of
        its own ('… Is our Patricia review like it?')."""
        reviews = {p for h in hits if h.ref.kind == "review" for p in h.positions}
        first, end = asked or (0, len(tokens))
        if asked and any(first <= p < end for p in reviews):
            return False
        told = {sentence_of(starts, i) for i, _ in areas} - {sentence_of(starts, i) for i in ours}
        return any(
            t == "there"
            and (j - 1 in reviews or tokens[j - 1] in self._lex.generic_review_words)
            and sentence_of(starts, j) in told
            for j, t in enumerate(tokens)
            if j
        )

    @staticmethod
    def _told_in_passing(
        tokens: Tokens, starts: tuple[int, ...], asked: tuple[int, int] | None, hits: list[Hit]
    ) -> Callable[[int], bool]:
        """Whether a place at word i is told outside the sentence a message asks in (`asked`), which does not
        point back to it ('they', 'their'), in a sentence naming none of our reviews: 'we merged with a practice
        in Northants. Where is the LLR referral form?' asks about ours; 'a colleague in Kettering had a Child C
        and D review over there. Was that neglect?' asks about theirs. (A place that owns a case is theirs
        wherever it is told: `owns`.)"""
        if asked is None or POINTING_BACK.intersection(tokens[asked[0] : asked[1]]):
            return lambda i: False
        first, end = asked
        bounds = (*starts, len(tokens))
        reviews = {p for h in hits if h.ref.kind == "review" for p in h.positions}

        def told(i: int) -> bool:
            k = sentence_of(starts, i)
            return not first <= i < end and not any(bounds[k] <= p < bounds[k + 1] for p in reviews)

        return told

    def owns(self, tokens: Tokens, i: int, n: int, hits: list[Hit], starts: tuple[int, ...] = ()) -> bool:
        """The place of `n` words at word i owns a case or review: one follows it in the same sentence (`starts`:
        where each begins), next or after a word describing it ('the Birmingham Child E', 'Kent reviews',
        'Derby's latest review'; not 'from Derby, any reviews?'), or it follows one ('reviews in Kent', 'a child
        from Derby', 'Child E from Coventry'). Such a place is whose case is asked about, whatever the story
        says of the writer."""
        named = {p for h in hits if h.ref.kind == "review" for p in h.positions}
        end = min([len(tokens), i + n + 2, *(start for start in starts if start >= i + n)])
        after = [j for j in range(i + n, end) if j == i + n or tokens[i + n] in self._describers]
        if any(tokens[j] in self._owned or j in named or (j > i + n and tokens[j] in ONES) for j in after):
            return True  # 'Derby's report', 'Northamptonshire's published ones'
        one_on = tokens[i + n + 1] if i + n + 1 < len(tokens) else ""
        if one_on in self._lex.generic_review_words and tokens[i + n] not in STOPWORDS:
            return True  # 'the Rochdale grooming case', 'the Derby neglect review'
        begins = sentence_start(starts, i)  # not '…a full LCSPR. In Wales…'
        # 'reviews in Kent', 'a child from Derby', 'the latest one from Cardiff'
        # ('20 years in Sheffield' tells how long, of no child)
        owner = tokens[i - 2] in self._owners_before or tokens[i - 2] in ONES or i - 2 in named
        return i - 2 >= begins and tokens[i - 1] in OWNING and owner

    def comes_from(
        self, tokens: Tokens, i: int, n: int = 1, *, after_from: bool = True, starts: tuple[int, ...] = ()
    ) -> bool:
        """The place of `n` words at word i is where someone comes from or works, not whose case is asked about:
        a few words after a word of origin ('moved here from Derby', 'my last job was in Northampton', 'when I
        was in Kent'), right before a phrase of origin ('in Croydon where I qualified') or, with `after_from`,
        after 'from' ('joined LLR from Birmingham'; not 'the reviews from Nottinghamshire', 'a child from
        Derby'); not 'here in Leicester'. `starts`: where each sentence begins; a word of origin in the sentence
        before tells of another place ('…after years in Lincolnshire. Who covers Rutland?')."""
        if tokens[max(0, i - 2) : i] in NOW_THERE or tokens[i - 1 : i] == ("now",):
            return False  # 'the equivalent here in Leicester', '20 years in Sheffield and now Leicester': now
        start = max(i - ORIGIN_REACH, sentence_start(starts, i))
        before = tokens[start:i]
        origin = self._lex.origin_words  # words and two-word phrases: 'moved', 'new to', 'came from'
        return (
            any(t in origin for t in before)
            or any(f"{a} {b}" in origin for a, b in itertools.pairwise(tokens[max(0, start - 1) : i]))
            or " ".join(tokens[i + n : i + n + 2]) in origin
            or (
                after_from
                and any(t == "from" and tokens[j - 1] not in self._owners for j, t in enumerate(before, start) if j)
            )
        )

    def names_unknown_place(self, text: str, mistyped: frozenset[str] = frozenset()) -> bool:
        """A place or name we do not know, capitalised, where a review's owner is written: right before
        'safeguarding', 'partnership' or 'council' ('Ashbury Vale safeguarding partnership child E review'),
        right before a review word or one of our review names ('Hallowford LSCPR', 'the Priya review',
        'Ashcombe Bridge Child C and D'), or after a child or review word and 'from'/'in' ('a review about a kid
        from Thornvale'). Such a case is someone else's, even when one of our reviews is named beside it. A word
        the spelling corrects ('Patrica') is one of ours, mistyped; the home areas' towns are ours ('Oakham');
        'Sarah (Safeguarding Lead)' is a person."""
        words = text[:MAX_SCAN].split()
        normed = [self._norm_word(word) for word in words]
        for i in range(1, len(words)):
            if words[i][:1] == "(" or not self._owns_a_review(normed, i):
                continue
            if i + 1 < len(words) and ROLES.intersection(normed[i + 1]):
                continue
            start = i
            while start > 0 and _titled(words[start - 1]):
                start -= 1
            before = tuple(t for n in normed[:start] for t in n)  # 'I moved down from a Scottish council': theirs
            if self._unknown_run(normed[start:i], mistyped) and not self.comes_from((*before, ""), len(before)):
                return True
        child_or_case = (self._lex.child_words | self._lex.case_words) - AGE_UNITS  # not 'twelve years in West Mids'
        return any(
            normed[i] in {("from",), ("in",)}
            and child_or_case.intersection(normed[i - 1])
            and _titled(words[i + 1].rstrip(".,?!;:"))
            and self._unknown_run(normed[i + 1 : self._run_end(words, i + 1)], mistyped)
            for i in range(1, len(words) - 1)
        )

    @staticmethod
    def _run_end(words: list[str], start: int) -> int:
        """Where the capitalised run of words from `start` ends ('from De Montfort with me': after 'Montfort')."""
        end = start + 1
        while end < len(words) and _titled(words[end].rstrip(".,?!;:")) and words[end - 1][-1:] not in ".,?!;:":
            end += 1
        return end

    def _owns_a_review(self, normed: list[Tokens], i: int) -> bool:
        """Word i is where a review's owner is named before: 'safeguarding', 'partnership', 'council', a review
        word ('LSCPR', 'review'), or the start of a review's name ('Child' of 'Child C and D')."""
        word = normed[i]
        if word in PLACE_OWNERS or (len(word) == 1 and word[0] in self._lex.generic_review_words):
            return True
        following = tuple(t for n in normed[i : i + 2] for t in n)
        return len(following) >= 2 and self._entities.letter_name_at(following, 0)

    def _unknown_run(self, run_words: list[Tokens], mistyped: frozenset[str]) -> bool:
        """Some word of a capitalised run is no word we know: not ours, not a typo of ours, no everyday word. A
        run with a home place in it is ours ('De Montfort', 'Melton Mowbray'); one naming another area we know
        ('Croydon', 'Milton Keynes') is `names_other_area`'s to judge, which reads whose case it is."""
        run = tuple(t for n in run_words for t in n)
        if self._lex.home_places.intersection(run) or self._names_known_area(run):
            return False
        return any(
            t.isalpha()
            and t not in self._vocabulary
            and t not in self._lex.home_places
            and t not in mistyped
            and t not in STOPWORDS
            and not self._is_english(t)
            for n in run_words
            for t in n
        )

    def _an_area(self, word: Tokens, following: Tokens) -> bool:
        """Two words that are, or start with, another area's name ('Northern Ireland', 'Bristol we'): a place,
        no stranger's full name; whose case it is is `names_other_area`'s to judge."""
        return word in self._other_areas or (*word, *following) in self._other_areas

    def _areas(self, tokens: Tokens) -> list[tuple[int, int]]:
        """(where, how many words) of each other area's name the words hold."""
        return [
            (i, n)
            for n in self._other_area_lengths
            for i in range(len(tokens) - n + 1)
            if tokens[i : i + n] in self._other_areas
        ]

    def abroad_only(self, tokens: Tokens) -> bool:
        """Every other area named is abroad ('the US', 'Australia'): no repository of ours holds its reviews."""
        areas = self._areas(tokens)
        return bool(areas) and all(tokens[i : i + n] in self._abroad for i, n in areas)

    def _names_known_area(self, run: Tokens) -> bool:
        return bool(self._areas(run))

    def names_someone_else(self, text: str, tokens: Tokens, hits: list[Hit]) -> bool:
        """'the Arthur Labinjo-Hughes review': a full name we do not know, beside a review word, is another
        area's case. Typed in lower case it must sit right before the review words ('daniel pelka serious
        case review'), so 'my manager wants the latest review' is not mistaken for a name."""
        lex = self._lex
        case_words = lex.case_words
        if any(h.ref.kind == "review" for h in hits) or not any(t in case_words for t in tokens):
            return False
        words = text[:MAX_SCAN].split()
        normed = [self._norm_word(word) for word in words]
        unknown = [  # a word with a digit ('7 min briefing', 'Y7') is never part of a name, nor a piece of a
            bool(n)  # dictated acronym ('NSP CC')
            and not any(ch.isdigit() for ch in word)
            and not (word.isupper() and len(word) <= MAX_PIECE)
            and all(t not in self._vocabulary and t not in STOPWORDS for t in n)
            for word, n in zip(words, normed, strict=True)
        ]
        shouting = text.isupper()  # typed in capitals, a name is capitals too
        stranger = [  # 'Planning PSHE': an acronym in capitals is no surname
            word[0].isupper() and u and (shouting or not word.strip(".,;:!?'\"()").isupper())
            for word, u in zip(words, unknown, strict=True)
        ]
        # a name has a word that is no everyday word ('pelka', 'hobson'): 'dissertation lit review' is not one
        english = [all(self._is_english(t) for t in n) for n in normed]
        address = [any(t in lex.address_words for t in n) for n in normed]  # 'Euston St' is where someone works
        near_review = [any(t in case_words for t in n) for n in normed]
        describing = [all(t in lex.generic_review_words or t in lex.review_describers for t in n) for n in normed]
        for i in range(len(words) - 1):
            if address[i + 1] or (english[i] and english[i + 1]) or self._an_area(normed[i], normed[i + 1]):
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

    def names_unknown_review(self, tokens: Tokens, hits: list[Hit], text: str = "") -> bool:
        """'Child F' or 'Baby P' when no review is called that: a name we do not hold, not a typo of one we do;
        'a child called Jayden' when no review is. `text`: the message; names told only in sentences of another
        area's story, or listed as examples ('they all used letters, Child A, Child B'), outside the sentence that
        asks, while another sentence names one of ours, are that story's ('Who is Patricia? In Cardiff our reviews
        were all Child A, Child B. Who published it?')."""
        unknown = self._unknown_names(tokens, hits)
        if not unknown or not text:
            return bool(unknown)
        starts = self._sentence_starts(text, len(tokens))
        asked = asked_span(text, starts, len(tokens))
        if asked is None:
            return True
        first, end = asked
        bounds = (*starts, len(tokens))
        told = {sentence_of(starts, p) for p in unknown}
        ours = {sentence_of(starts, p) for h in hits if h.ref.kind == "review" for p in h.positions}
        letters = [  # 'Child A, Child B': letters as names ('a' too), which sentences list as examples
            sentence_of(starts, i)
            for i in range(len(tokens) - 1)
            if tokens[i] in self._lex.name_words and len(tokens[i + 1]) == 1 and tokens[i + 1].isalpha()
        ]
        listed = {k for k in told if letters.count(k) > 1}
        return (
            not ours - told
            or any(first <= p < end for p in unknown)
            or not all(k in listed or self._names_known_area(tokens[bounds[k] : bounds[k + 1]]) for k in told)
        )

    def _unknown_names(self, tokens: Tokens, hits: list[Hit]) -> list[int]:
        """Where `names_unknown_review`'s names are (the word after 'called', 'Baby', 'Child')."""
        vocabulary = self._vocabulary
        named = {i for hit in hits if hit.ref.kind == "review" for i in hit.positions}
        if not named:
            called = [i for i in range(1, len(tokens)) if self._called(tokens, i)]
            if called:
                return called
        name_words = self._lex.name_words
        first_names = [  # 'Baby Jayden', 'child Kayleigh': a first name we do not hold
            i + 1
            for i in range(len(tokens) - 1)
            if tokens[i] in name_words
            and len(tokens[i + 1]) > 2
            and tokens[i + 1].isalpha()
            and i + 1 not in named
            and tokens[i + 1] not in vocabulary
            and not self._is_english(tokens[i + 1])
            and tokens[i + 1] not in STOPWORDS
            and VOWELS.intersection(tokens[i + 1])  # 'the Child E case, NQT here': an acronym is no first name
        ]
        if first_names:
            return first_names
        letter_name_at = self._entities.letter_name_at
        return [  # not 'the very young baby a CSPR?': after a name word of one of ours, 'a' is the article
            i + 1
            for i in range(len(tokens) - 1)
            if letter_name_at(tokens, i) and i + 1 not in named and not (i in named and tokens[i + 1] in ARTICLES)
        ]

    def _review_follows(self, tokens: Tokens, at: int) -> bool:
        """A review word at word `at`, or after words describing a case ('baby', 'serious'): 'Loughborough
        CSPR', 'the Hinckley baby serious case review'; not 'Hinckley, what reviews…'."""
        for token in tokens[at : at + REVIEW_REACH]:
            if token in self._lex.generic_review_words or token in self._lex.one_document_words:
                return True
            if token not in self._lex.child_words and token not in self._describers:
                return False
        return False

    def _called(self, tokens: Tokens, i: int) -> bool:
        """Word i is a name we do not hold after 'called' or 'named': 'a child called Jayden', 'a baby called
        Rose'. Not 'our named GP' (a role), nor an everyday word after 'called' that names no child or review
        ('police sometimes called, everyone calm by Monday')."""
        a, b = tokens[i - 1], tokens[i]
        if a not in NAMING or b in self._vocabulary or b in STOPWORDS or not b.isalpha():
            return False
        if a == "named" and (self._is_english(b) or b in self._lex.named_roles):
            return False
        return not (self._is_english(b) and i > 1 and tokens[i - 2] not in self._namers)

    def names_review_of_partnership_without_any(self, tokens: Tokens, hits: list[Hit], text: str = "") -> bool:
        """'The Rutland review about the boy in Oakham': a review of a partnership we hold no reviews for. Said
        before any of our reviews is named, it is what the question is about ('the Leicestershire and Rutland
        review about baby Jack', 'the Leicestershire and Rutland partnership's Child E review': the city's Child E
        is not theirs); said after, it only wonders whose review ours is. `text`: the message, whose sentences
        bound what follows a name ('…transferred to Leicestershire. The briefings keep…' names no review)."""
        starts = self._sentence_starts(text, len(tokens)) if text else ()
        bounds = (*starts[1:], len(tokens))

        def after(at: int) -> Tokens:
            """The words from `at` to the end of the sentence of the name ending before it."""
            return tokens[at : bounds[sentence_of(starts, at - 1)]]

        first_review = min((min(h.positions) for h in hits if h.ref.kind == "review"), default=len(tokens))
        with_reviews = self._entities.partnerships_with_reviews
        if any(
            partnership not in with_reviews and self._review_follows(after(i + n), 0)
            for i, n, partnership in self._entities.places_at(tokens)
        ):
            return True  # 'Loughborough CSPR', 'the Hinckley baby serious case review': the county's review
        return any(
            h.ref.kind == "partnership"
            and h.ref.id not in with_reviews
            and max(h.positions) < first_review
            and (  # 'the Leicestershire and Rutland review…', 'the Leicestershire & Rutland partnership's Child E'
                max(h.positions) + 1 == first_review < len(tokens)
                or any(t in self._lex.one_document_words for t in after(max(h.positions) + 1)[:2])
            )
            for h in hits
        )
