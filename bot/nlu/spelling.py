"""Spelling: the vocabulary word a typo was meant to be, bounded so real words are left alone.

Corrections go toward the view's own vocabulary only (names, rules, phrasings), in length buckets, with
rapidfuzz's OSA distance (a transposition counts as one edit), and are cached: words recur across questions.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.nlu.english import STOPWORDS
from bot.nlu.lexicon import Lexicon
from bot.nlu.normalise import Tokens, replace_runs
from bot.nlu.thresholds import (
    NAME_TWO_EDITS,
    SHORTEST_CORRECTED,
    SHORTEST_TARGET,
    WORD_CACHE_SIZE,
    WORD_TWO_EDITS,
)

SPOKEN_LETTERS = {
    "ay": "a",
    "bee": "b",
    "see": "c",
    "sea": "c",
    "cee": "c",
    "dee": "d",
    "ee": "e",
    "ef": "f",
    "eff": "f",
    "gee": "g",
    "aitch": "h",
    "haitch": "h",
    "jay": "j",
    "kay": "k",
    "el": "l",
    "ell": "l",
    "em": "m",
    "en": "n",
    "pee": "p",
    "queue": "q",
    "cue": "q",
    "are": "r",
    "ar": "r",
    "ess": "s",
    "es": "s",
    "tee": "t",
    "vee": "v",
    "ex": "x",
    "zed": "z",
    "zee": "z",
}
"""Letters as dictation writes them ('el ess see bee', 'see and dee'). Only read as letters beside another
spoken letter or an acronym's piece, and only kept when they make an acronym or letters of a review's name."""
MAX_GLUED = 2
"""The most letters of a review's name typed onto its first word: 'childcd'."""
MAX_PIECES = 5
MAX_PIECE = 3


class Spelling:
    """Typo correction over one view's vocabulary; `names` are the home partnership's review-name words."""

    def __init__(
        self,
        vocabulary: frozenset[str],
        names: Iterable[str],
        english: frozenset[str],
        lexicon: Lexicon,
        acronyms: frozenset[str] = frozenset(),
        kept: frozenset[str] = frozenset(),
    ):
        """`kept`: words never corrected though no rule answers with them, such as a refusal's ('LeDeR' is no
        slip of 'leader')."""
        self._vocabulary = vocabulary
        self._acronyms = acronyms
        self._names = frozenset(names)
        self._english = english
        self._plural_words = lexicon.plural_review_words
        self._one_document = lexicon.one_document_words
        self._kept = lexicon.home_places | kept  # 'Blaby' is a district of ours, never a slip of 'baby'
        self._by_length: dict[int, list[str]] = defaultdict(list)
        self._names_by_length: dict[int, list[str]] = defaultdict(list)
        for word in sorted(vocabulary):
            if len(word) >= SHORTEST_TARGET and not word.isdigit():
                self._by_length[len(word)].append(word)
                if word in self._names:
                    self._names_by_length[len(word)].append(word)
        self.correct_word = lru_cache(maxsize=WORD_CACHE_SIZE)(self._correct_uncached)
        self._letters = frozenset(n for n in self._names if len(n) == 1 and n.isalpha())  # 'e' of 'Child E'
        self._name_heads = lexicon.name_words & self._names  # 'child' of 'Child E'

    def _correct_uncached(self, token: str, names_a_letter: bool = False) -> str | None:
        """The vocabulary word a typo was meant to be, or None when nothing is close enough.

        One edit (a transposition counts as one); two for words of ten letters or more, since shorter real words
        sit two edits apart ('discussed', 'disclosed'). Toward the home partnership's review names, two edits
        from seven letters ('patrisha' -> 'patricia'); four-letter words only toward those names ('cild').
        A dropped g is put back ('sayin' -> 'saying'). A home place or a refusal's word is never corrected ('Blaby'
        is no 'baby', 'LeDeR' no 'leader'). An English word is left alone unless only its ending slipped
        ('disguise' -> 'disguised'), or it stands
        before a single letter and becomes a review name's word ('chid e' -> 'child e'). A four-letter word that
        is no English word may swap two neighbouring letters: acronyms are typed fast ('cpsr' -> 'cspr')."""
        if (
            len(token) < SHORTEST_CORRECTED
            or any(ch.isdigit() for ch in token)
            or token in STOPWORDS
            or token in self._kept
        ):
            return None
        if token.endswith("in") and token not in self._english and token + "g" in self._english:
            return token + "g"  # the dropped g of speech: 'sayin', 'comin', 'mornin' (not 'cousin', a word)
        if len(token) == SHORTEST_CORRECTED and token not in self._english:
            swapped = (token[:i] + token[i + 1] + token[i] + token[i + 2 :] for i in range(3))
            known = next((word for word in swapped if word in self._vocabulary), None)
            if known is not None:
                return known
        passes = [(self._names_by_length, 2 if len(token) >= NAME_TWO_EDITS else 1)]
        if len(token) > SHORTEST_CORRECTED:
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
        slipped = best[1].startswith(token) or (names_a_letter and best[1] in self._names)
        return best[1] if token not in self._english or slipped else None  # 'leaving' is not 'learning'

    def join_spelled(self, raw: Tokens) -> Tokens:
        """Acronyms spelt out or dictated in pieces: 'L S C B', 'NSP CC', 'LCS PR', 'CSP are' (R said aloud)
        become 'lscb', 'nspcc', 'lcspr', 'cspr'. Only pieces of up to three letters, and only when together
        they make one of the knowledge base's acronyms: 'in to' never becomes 'into'. A review's name typed as
        one word comes apart first: 'childcd' is 'child c and d'."""
        raw = self._unglued(raw)
        if not self._acronyms or not any(len(a) <= MAX_PIECE >= len(b) for a, b in itertools.pairwise(raw)):
            return raw  # most questions: no two short words side by side
        return replace_runs(raw, MAX_PIECES, self._spelled)

    def _unglued(self, raw: Tokens) -> Tokens:
        """A name word glued to one or two of our review names' letters ('childe', 'childcd'), split."""
        if not any(len(t) > SHORTEST_TARGET and t not in self._vocabulary and t[-1] in self._letters for t in raw):
            return raw  # most questions: nothing glued
        out: list[str] = []
        for token in raw:
            head = next((h for h in self._name_heads if token.startswith(h)), "")
            letters = token[len(head) :]
            if (
                head
                and token not in self._vocabulary
                and 0 < len(letters) <= MAX_GLUED
                and self._letters >= set(letters)
            ):
                out += [head, *" and ".join(letters).split()]
            else:
                out.append(token)
        return tuple(out)

    def _spelled(self, window: Tokens) -> Tokens | None:
        """What a run of pieces spells: one of our acronyms ('l s c b'), or the letters of a review's name
        ('see and dee' -> 'c and d'); None when it spells nothing we hold."""
        if len(window) < 2:
            return None
        pieces = [SPOKEN_LETTERS.get(t, t) for t in window]
        if all(len(p) <= MAX_PIECE and p.isalpha() for p in pieces) and "".join(pieces) in self._acronyms:
            return ("".join(pieces),)
        if len(window) == 3 and window[1] == "and" and any(t in SPOKEN_LETTERS for t in window[::2]):
            letters = (pieces[0], pieces[2])
            if all(len(x) == 1 and x in self._names for x in letters):
                return (letters[0], "and", letters[1])
        return None

    def correct(self, raw: Tokens) -> tuple[Tokens, frozenset[int]]:
        """The tokens with typos corrected, and the positions that were corrected."""
        out: list[str] = []
        corrected: set[int] = set()
        for i, token in enumerate(raw):
            if token in self._vocabulary or token in STOPWORDS:
                out.append(token)
                continue
            before_letter = i + 1 < len(raw) and len(raw[i + 1]) == 1 and raw[i + 1].isalpha()
            fixed = self.correct_word(token, before_letter)  # 'chid e': a name, though 'chid' is a word
            if fixed is None:
                out.append(token)
            else:
                out.append(fixed)
                corrected.add(i)
        return tuple(out), frozenset(corrected)

    def plural_documents(self, bare: Tokens) -> bool:
        """Reviews, briefings, SCRs: several documents, however misspelt ('reveiws')."""
        return any(
            w in self._plural_words or (len(w) > 4 and w.endswith("s") and self._is_document(w[:-1])) for w in bare
        )

    def _is_document(self, word: str) -> bool:
        """'review', or a slip of it ('reveiw'); known words are not looked up, so this stays cheap at scale."""
        if word in self._one_document:
            return True
        if word in self._vocabulary or word in self._english:
            return False
        return self.correct_word(word, False) in self._one_document

    def clear_cache(self) -> None:
        """Forget cached corrections (the benchmark starts every pass cold)."""
        self.correct_word.cache_clear()
