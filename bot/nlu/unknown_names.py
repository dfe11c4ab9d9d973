"""Names we do not hold: a review's name ('Child F', 'baby Jayden'), a place or stranger's full name beside a
review word ('the Ashbury Vale partnership Child E review', 'the Star Hobson review'), a review of a partnership we
hold none for ('Loughborough CSPR'). Such a case is someone else's, even when one of our reviews is named beside it.
Read by scope.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from bot.nlu.english import ABOUT_SOMEONE, AGE_UNITS, NAMING, STOPWORDS
from bot.nlu.entities import EntityIndex
from bot.nlu.lexicon import Lexicon
from bot.nlu.normalise import Tokens
from bot.nlu.places import PLACE_OWNERS, Places
from bot.nlu.sentences import asked_span, sentence_of, sentence_start
from bot.nlu.spelling import MAX_PIECE
from bot.nlu.thresholds import MAX_SCAN, NAME_REACH, WORD_CACHE_SIZE
from bot.nlu.types import Hit, review_positions

ARTICLES = frozenset({"a", "i"})
"""Letters that are words too: after one of our names ('the baby a CSPR?') they name no other child."""
REVIEW_REACH = 4
"""How many words after a town a review word may follow, past words describing the case."""
BY_OWNER = frozenset({"by", "from"})
"""Between one of our reviews and the partnership said to have published it: 'a Child D review by the county
partnership'."""
WONDERING = frozenset({"whether", "or", "if"})
YES_OR_NO_FIRST = frozenset((verb,) for verb in ("is", "was", "were", "does", "did"))
"""In the sentence that gives a review an owner, words (or, first, a verb) that make it a question ('is Child E by
the county or the city?'), not a statement about someone else's review."""
ROLES = frozenset({"lead", "officer", "team", "manager", "nurse", "practitioner", "adviser", "advisor", "board"})
"""After 'safeguarding': a person's role ('Sarah, Safeguarding Lead'), not a partnership."""


def _titled(word: str) -> bool:
    """A capitalised word inside a sentence ('Ashbury', not 'DSL', not 'Oakham.' ending the one before)."""
    return word[:1].isupper() and not word.isupper() and word[-1:] not in {".", "?", "!", ",", ":", ";"}


VOWELS = frozenset("aeiouy")
"""A first name has a vowel; 'NQT', 'DSL' and 'PCSO' are roles."""
LETTERS_ONLY = frozenset({"children"})
"""Name words that name cases by letters ('Children C and D') but never by one first name: 'disabled children esp
non verbal ones' names no child Esp."""


class UnknownNames:
    """Names and places we do not hold, where a review's owner or name is written; built once per view."""

    def __init__(
        self,
        lexicon: Lexicon,
        entities: EntityIndex,
        vocabulary: frozenset[str],
        norm: Callable[[str], Tokens],
        places: Places,
        sentence_starts: Callable[[str, int], tuple[int, ...]] = lambda text, length: (),
    ) -> None:
        self._lex = lexicon
        self._entities = entities
        self._vocabulary = vocabulary
        self._norm_word = lru_cache(maxsize=WORD_CACHE_SIZE)(norm)  # single words recur across questions
        self._places = places
        self._sentence_starts = sentence_starts  # where each sentence of a message starts among its tokens
        self._namers = lexicon.name_words | lexicon.child_nouns | lexicon.generic_review_words  # '<a child> called …'

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
            if self._unknown_run(normed[start:i], mistyped) and not self._places.comes_from((*before, ""), len(before)):
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
        if self._lex.home_places.intersection(run) or self._places.names_known_area(run):
            return False
        return any(
            t.isalpha()
            and t not in self._vocabulary
            and t not in self._lex.home_places
            and t not in mistyped
            and t not in STOPWORDS
            and not self._places.is_english(t)
            for n in run_words
            for t in n
        )

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
        english = [all(self._places.is_english(t) for t in n) for n in normed]
        address = [any(t in lex.address_words for t in n) for n in normed]  # 'Euston St' is where someone works
        near_review = [any(t in case_words for t in n) for n in normed]
        describing = [all(t in lex.generic_review_words or t in lex.review_describers for t in n) for n in normed]
        for i in range(len(words) - 1):
            if address[i + 1] or (english[i] and english[i + 1]) or self._places.an_area(normed[i], normed[i + 1]):
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
        ours = {sentence_of(starts, p) for p in review_positions(hits)}
        letters = [  # 'Child A, Child B': letters as names ('a' too), which sentences list as examples
            sentence_of(starts, i)
            for i in range(len(tokens) - 1)
            if tokens[i] in self._lex.name_words and len(tokens[i + 1]) == 1 and tokens[i + 1].isalpha()
        ]
        listed = {k for k in told if letters.count(k) > 1}
        return (
            not ours - told
            or any(first <= p < end for p in unknown)
            or not all(k in listed or self._places.names_known_area(tokens[bounds[k] : bounds[k + 1]]) for k in told)
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
            and tokens[i] not in LETTERS_ONLY
            and len(tokens[i + 1]) > 2
            and tokens[i + 1].isalpha()
            and i + 1 not in named
            and tokens[i + 1] not in vocabulary
            and not self._places.is_english(tokens[i + 1])
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
            if token not in self._lex.child_words and token not in self._places.describers:
                return False
        return False

    def _called(self, tokens: Tokens, i: int) -> bool:
        """Word i is a name we do not hold after 'called' or 'named': 'a child called Jayden', 'a baby called
        Rose'. Not 'our named GP' (a role), nor an everyday word after 'called' that names no child or review
        ('police sometimes called, everyone calm by Monday')."""
        a, b = tokens[i - 1], tokens[i]
        if a not in NAMING or b in self._vocabulary or b in STOPWORDS or not b.isalpha():
            return False
        if a == "named" and (self._places.is_english(b) or b in self._lex.named_roles):
            return False
        return not (self._places.is_english(b) and i > 1 and tokens[i - 2] not in self._namers)

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
        if self._said_to_be_by(tokens, hits, starts, with_reviews):
            return True  # 'a Child D review by the Leicestershire and Rutland partnership in 2023'
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

    def _said_to_be_by(
        self, tokens: Tokens, hits: list[Hit], starts: tuple[int, ...], with_reviews: frozenset[str]
    ) -> bool:
        """One of our reviews named as a review by a partnership that publishes none of ours ('my manager
        mentioned a Child D review by the Leicestershire and Rutland partnership'): another review of that name.
        Not asked as a question ('is Child E by the county or the city?'), nor said to have been done by them
        ('someone told me the C and D review was done by the county'): that wonders whose ours is."""
        ends = (*starts[1:], len(tokens))
        review_ends = [max(h.positions) for h in hits if h.ref.kind == "review"]
        for h in hits:
            if h.ref.kind != "partnership" or h.ref.id in with_reviews:
                continue
            at = min(h.positions)
            by = at - 2 if tokens[at - 1 : at] == ("the",) else at - 1
            if by < 1 or tokens[by] not in BY_OWNER:
                continue
            begins = sentence_start(starts, at)
            sentence = tokens[begins : ends[sentence_of(starts, at)]]
            if WONDERING.intersection(sentence) or sentence[:1] in YES_OR_NO_FIRST:
                continue
            if any(  # 'a Child D review by', not 'the C and D review was done by' (whose review ours is)
                begins <= end < by and all(t in self._lex.generic_review_words for t in tokens[end + 1 : by])
                for end in review_ends
            ):
                return True
        return False
