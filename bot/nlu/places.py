"""Places: another area named in a message, and whether its case is what is asked. A place the writer comes from
or works in is their story ('I moved here from Derby'); a place that owns a case ('the Birmingham Child E review',
'the latest one from Cardiff') is theirs, whatever our reviews share with it. Read by scope.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from bot.nlu.english import AGE_UNITS, SPEAKERS_OWN, STOPWORDS
from bot.nlu.entities import EntityIndex
from bot.nlu.lexicon import Lexicon
from bot.nlu.normalise import Tokens
from bot.nlu.sentences import asked_span, sentence_of, sentence_start
from bot.nlu.thresholds import ORIGIN_REACH
from bot.nlu.types import Hit, review_positions

PLACE_OWNERS = frozenset({("safeguarding",), ("partnership",), ("council",)})
"""What follows a place's name when its partnership or council is meant."""
AREA_BODIES = PLACE_OWNERS | {("board",)}
"""After a place in the sentence that asks: that area's partnership ('what did the Warwickshire partnership say?')."""
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
LISTING = frozenset({("and",), ("or",)})
"""Between two places told together."""
PUBLISHING = frozenset({"published", "commissioned", "done"})
"""Between a review word and 'in'/'by' + a place: 'the most recent reviews published in Glasgow' are Glasgow's."""
HAD_ONE = frozenset({("we", "had"), ("they", "had"), ("there", "was"), ("there", "were")})
"""Before 'a review' in a story of another area: 'I used to work in Coventry and we had a case review about Child
D' tells of that area's review."""
ARTICLES = frozenset({"a", "an"})


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


class Places:
    """Other areas' names in a message, and whose case a message asks about; built once per view."""

    def __init__(
        self,
        lexicon: Lexicon,
        entities: EntityIndex,
        english: frozenset[str],
        norm: Callable[[str], Tokens],
        sentence_starts: Callable[[str, int], tuple[int, ...]] = lambda text, length: (),
    ) -> None:
        self._lex = lexicon
        self._english = english
        self._other_areas = {norm(area) for area in lexicon.other_areas} - {()}
        self._other_area_lengths = sorted({len(area) for area in self._other_areas})
        self._abroad = {norm(place) for place in lexicon.abroad} - {()}
        self._nations = {norm(place) for place in lexicon.nations} - {()}
        self._sentence_starts = sentence_starts  # where each sentence of a message starts among its tokens
        self.describers = lexicon.recency_words | lexicon.review_describers  # 'Derby's latest / serious case …'
        self._owners = lexicon.case_words | lexicon.generic_review_words | lexicon.child_words  # 'reviews from …'
        # after a place that owns it: 'Derby's report', 'the Coventry baby'; not 'Kent years ago', which tells when
        self._owned = (self._owners | lexicon.one_document_words) - AGE_UNITS
        self._owners_before = self._owners - AGE_UNITS  # before a place: not '20 years in Sheffield' (how long)
        # our area named: a partnership's name or a town of ours ('Oakham'), not an everyday word ('Market')
        self._home_words = entities.home_area_words | {w for w in lexicon.home_places if not self.is_english(w)}

    def is_english(self, token: str) -> bool:
        """An everyday word, also as a folded plural: 'lots' became 'lot', which is no first name."""
        return token in self._english or f"{token}s" in self._english

    def names_other_area(self, tokens: Tokens, hits: list[Hit], text: str = "") -> bool:
        """'Nottingham City CSPR 2023', 'Derby Child C and D': reviews or a partnership of an area we do not
        cover, even when our own reviews answer to the same description; not when our area is named too. `text`:
        the message, whose sentences bound what a place owns ('…from Kent. What reviews…' owns none)."""
        context = any(t in self._lex.area_context for t in tokens) or any(h.ref.kind == "review" for h in hits)
        if not context and not ONES.intersection(tokens):
            return False  # most questions: no word of reviews or partnerships, no 'the Nottingham one'
        areas = self.areas(tokens)
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
            and tokens[i - 1 : i] != ("not",)  # 'our partnership is Northamptonshire not Leicester'
        ]
        if self._here_is_theirs(tokens, areas, hits):
            return True  # 'I've just started at Northamptonshire… a local review here about Child C and D'
        if self._review_there(tokens, areas, hits, starts, asked, ours):
            return True  # 'I used to work in Sheffield and there was a baby serious case review there… is it online?'
        if self._owns_our_name(tokens, areas, hits, ours, starts):
            return True  # 'Child D from Birmingham, any learning? … I'm in the city here': Birmingham's Child D
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
        if "national" in tokens and not self.names_nation(tokens, areas):
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
    def _owns_our_name(
        tokens: Tokens, areas: list[tuple[int, int]], hits: list[Hit], ours: list[int], starts: tuple[int, ...]
    ) -> bool:
        """Another area right beside one of our review names ('Child D from Birmingham', 'the Derby Child E'),
        in one sentence, where none of our places is ('not the Leicester Child E'): their review of that name. Not
        'was there a statement with Patricia? In Swindon the chair…'."""
        named = review_positions(hits)

        def owns_name(i: int, n: int) -> bool:
            begins = sentence_start(starts, i)
            return (i - 2 >= begins and tokens[i - 1] in OWNING and i - 2 in named) or (
                i + n in named and sentence_start(starts, i + n) == begins
            )

        return any(owns_name(i, n) for i, n in areas) and not any(owns_name(j, 1) for j in ours)

    @staticmethod
    def _here_is_theirs(tokens: Tokens, areas: list[tuple[int, int]], hits: list[Hit]) -> bool:
        """The writer works in another area now ('just started at Northamptonshire', 'I work in Derby') and asks
        about a review 'here': theirs, whatever our review's name ('a local review here about Child C and D').
        Not 'moved here', 'here in Leicester', 'here from Derby'."""
        present = any(tuple(tokens[max(0, i - 2) : i]) in PRESENT_PLACE for i, _ in areas)
        if not present:
            return False
        reviews = review_positions(hits)
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
        """A review told 'there', or as one they had beside one of our review names ('we had a case review about
        Child D'), in a sentence naming another area and none of ours ('I used to work in Sheffield and there was
        a baby serious case review there'): theirs, unless the sentence that asks names a review of its own ('… Is
        our Patricia review like it?')."""
        reviews = review_positions(hits)
        first, end = asked or (0, len(tokens))
        if asked and any(first <= p < end for p in reviews):
            return False
        told = {sentence_of(starts, i) for i, _ in areas} - {sentence_of(starts, i) for i in ours}
        review_words = self._lex.generic_review_words
        there = any(
            t == "there" and (j - 1 in reviews or tokens[j - 1] in review_words) and sentence_of(starts, j) in told
            for j, t in enumerate(tokens)
            if j
        )
        theirs_named = told & {sentence_of(starts, p) for p in reviews}  # their review of one of our names
        had = any(  # 'we had a case review about Child D'
            tokens[j : j + 2] in HAD_ONE
            and tokens[j + 2] in ARTICLES
            and review_words.intersection(tokens[j + 3 : j + 5])
            and sentence_of(starts, j) in theirs_named
            for j in range(len(tokens) - 3)
        )
        return there or had

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
        reviews = review_positions(hits)

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
        named = review_positions(hits)
        end = min([len(tokens), i + n + 2, *(start for start in starts if start >= i + n)])
        after = [j for j in range(i + n, end) if j == i + n or tokens[i + n] in self.describers]
        if any(tokens[j] in self._owned or j in named or (j > i + n and tokens[j] in ONES) for j in after):
            return True  # 'Derby's report', 'Northamptonshire's published ones'
        one_on = tokens[i + n + 1] if i + n + 1 < len(tokens) else ""
        if one_on in self._lex.generic_review_words and tokens[i + n] not in STOPWORDS:
            return True  # 'the Rochdale grooming case', 'the Derby neglect review'
        begins = sentence_start(starts, i)  # not '…a full LCSPR. In Wales…'
        # 'reviews in Kent', 'a child from Derby', 'the latest one from Cardiff'
        # ('20 years in Sheffield' tells how long, of no child)
        owner = tokens[i - 2] in self._owners_before or tokens[i - 2] in ONES or i - 2 in named
        owner = (
            owner
            or (  # 'reviews published in Glasgow'
                tokens[i - 2] in PUBLISHING
                and any(t in self._lex.generic_review_words for t in tokens[max(0, i - 4) : i - 2])
            )
        )
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

    def an_area(self, word: Tokens, following: Tokens) -> bool:
        """Two words that are, or start with, another area's name ('Northern Ireland', 'Bristol we'): a place,
        no stranger's full name; whose case it is is `names_other_area`'s to judge."""
        return word in self._other_areas or (*word, *following) in self._other_areas

    def areas(self, tokens: Tokens) -> list[tuple[int, int]]:
        """(where, how many words) of each other area's name the words hold."""
        return [
            (i, n)
            for n in self._other_area_lengths
            for i in range(len(tokens) - n + 1)
            if tokens[i : i + n] in self._other_areas
        ]

    def names_nation(self, tokens: Tokens, areas: list[tuple[int, int]]) -> bool:
        """Another nation is among the areas named ('in Scotland under the national guidance'): its 'national'
        is its own, not England's panel."""
        return any(tokens[i : i + n] in self._nations for i, n in areas)

    def abroad_only(self, tokens: Tokens) -> bool:
        """Every other area named is abroad ('the US', 'Australia'): no repository of ours holds its reviews."""
        areas = self.areas(tokens)
        return bool(areas) and all(tokens[i : i + n] in self._abroad for i, n in areas)

    def names_known_area(self, run: Tokens) -> bool:
        return bool(self.areas(run))
