"""Text normalisation shared by knowledge phrases (once, at index build) and questions (once per message).

Both sides go through the same steps, so a rule written as "what's new" matches a question typed
"Whats NEW??": accents and case folded, "&" read as "and", possessive 's dropped, punctuation removed,
synonyms and spelling variants rewritten, plurals folded.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence

from bot.nlu.thresholds import CHILD_AGE_LIMIT

Tokens = tuple[str, ...]

_QUOTE = "['’`´]"
_CONTRACTION = re.compile(rf"\b(what|where|who|how|when|why|it|that|there|here|he|she){_QUOTE}s\b")
_POSSESSIVE = re.compile(rf"(?<=\w){_QUOTE}s\b")
_APOSTROPHE = re.compile(_QUOTE)
_DOTTED = re.compile(r"\b(?:[a-z]\.){2,}[a-z]?\b")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_MONTH_NAMES = "january february march april may june july august september october november december".split()
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b")
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")
_MONTH_ABBREVIATIONS = {
    "jan": "january",
    "feb": "february",
    "mar": "march",
    "apr": "april",
    "jun": "june",
    "jul": "july",
    "aug": "august",
    "sep": "september",
    "sept": "september",
    "oct": "october",
    "nov": "november",
    "dec": "december",
}  # not "may", which is mostly the verb
_DIGIT = re.compile(r"\d")
_AGE = re.compile(r"\b(\d{1,2}) ?(?:yo|y/o|yrs? old|years? old)\b")
_GLUED_NAME = re.compile(r"\b(child|baby)([a-rt-z])\b")  # 'childc and d', 'childe' typed in one go; not 'childs'
_MONTH_ABBREVIATION = re.compile(rf"\b({'|'.join(_MONTH_ABBREVIATIONS)})\b\.?")
_MAX_INPUT = 4096  # characters considered: a whole Telegram message, so a worry at its end is read


_ASCII_CONTROLS = {c: (" " if chr(c).isspace() else None) for c in (*range(32), 127)}


def _keep(ch: str) -> str:
    """Whitespace splits words; invisible format and control characters (soft hyphen, zero-width space) vanish."""
    if ch.isspace():
        return " "
    if unicodedata.category(ch) in {"Cf", "Cc"} or unicodedata.combining(ch):
        return ""
    return ch


def fold(text: str) -> str:
    """Lower case, accents and invisible characters dropped, "what's" read as "what is", possessive 's
    dropped, '&' and '+' read as 'and'."""
    text = _APOSTROPHE.sub("'", text[:_MAX_INPUT])  # before NFKD, which would split an acute accent ´
    if text.isascii():  # most questions: no accents to drop, only control characters
        text = text.translate(_ASCII_CONTROLS)
    else:
        text = "".join(_keep(ch) for ch in unicodedata.normalize("NFKD", text))
    text = text.lower().replace("&", " and ").replace("+", " and ")
    text = _CONTRACTION.sub(r"\1 is", text)
    text = _DOTTED.sub(lambda m: m.group(0).replace(".", ""), text)  # L.C.S.P.R. -> lcspr
    text = _POSSESSIVE.sub("", text)
    return _APOSTROPHE.sub("", text)


def _spell_date(match: re.Match[str]) -> str:
    """'10/07/24' as '10 july 2024' (UK order); anything that is not a real day and month stays as typed."""
    day, month, year = (int(part) for part in match.groups())
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return match.group()
    return f"{day} {_MONTH_NAMES[month - 1]} {year + 2000 if year < 100 else year}"


def _spell_age(match: re.Match[str]) -> str:
    """'2yo' reads '2 year old'; '45 year old' reads '45 adult': 'year old' speaks of a child in every rule."""
    return f"{match[1]} {'year old' if int(match[1]) < CHILD_AGE_LIMIT else 'adult'}"


def spell_dates(text: str) -> str:
    """Dates and ages in one form: '10/07/24', '10th Jul 2024' and '10 july 2024' all read '10 july 2024';
    '2yo' and '2 yrs old' read '2 year old', a grown-up's '45 year old' reads '45 adult'."""
    if _DIGIT.search(text):
        text = _NUMERIC_DATE.sub(_spell_date, text)
        text = _AGE.sub(_spell_age, text)
        text = _ORDINAL.sub(r"\1", text)
    text = _GLUED_NAME.sub(r"\1 \2", text)
    return _MONTH_ABBREVIATION.sub(lambda m: _MONTH_ABBREVIATIONS[m.group(1)], text)


def words(text: str) -> Tokens:
    """The bare words of `text` after folding, dates spelled one way: again after the split, so that what the
    split exposes ('_2yo', '2:yo') reads as typed plainly ('2yo'), and the words of words are the same words."""
    return tuple(spell_dates(_NON_WORD.sub(" ", spell_dates(fold(text)))).split())


_NOT_PLURAL = frozenset({"news", "always", "perhaps", "whereas", "towards", "afterwards"})


def stem(token: str) -> str:
    """Fold simple English plurals so 'reviews' matches 'review' (and 'policies' matches 'policy')."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    plural = token.endswith("s") and not token.endswith(("ss", "us", "is", "ous")) and token not in _NOT_PLURAL
    if len(token) > 3 and plural:
        return token[:-1]
    return token


class Synonyms:
    """Rewrites variant word sequences to their canonical form, longest variant first. One word that stands for
    several ('isnt' for 'is not', 'im' for 'i am') is spelt out first, in questions and variants alike, so a
    variant may begin inside it: 'it isnt an emergency' holds 'not an emergency'."""

    def __init__(self, pairs: Iterable[tuple[str, Sequence[str]]]) -> None:
        written = [(words(canonical), [words(variant) for variant in variants]) for canonical, variants in pairs]
        self._spelt_out = {v: target for target, variants in written for v in variants if len(v) == 1 < len(target)}
        self._table: dict[Tokens, Tokens] = {}
        for target, variants in written:
            for variant in variants:
                source = self._spell_out(variant)
                if source and source != target:
                    self._table[source] = target
        self._longest = max((len(k) for k in self._table), default=0)

    def _spell_out(self, tokens: Tokens) -> Tokens:
        if not any((t,) in self._spelt_out for t in tokens):
            return tokens
        return tuple(word for t in tokens for word in self._spelt_out.get((t,), (t,)))

    def rewrite(self, tokens: Tokens) -> Tokens:
        return replace_longest(self._spell_out(tokens), self._table, self._longest)


def replace_longest(tokens: Tokens, table: Mapping[Tokens, Tokens], longest: int) -> Tokens:
    """`tokens` with every run found in `table` replaced, left to right, the longest run first at each place
    (`longest`: the longest key of the table)."""
    return replace_runs(tokens, longest, table.get)


def replace_runs(tokens: Tokens, longest: int, replacement: Callable[[Tokens], Tokens | None]) -> Tokens:
    """`tokens` with every run that `replacement` rewrites replaced, left to right, the longest run (up to
    `longest` tokens) first at each place."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for n in range(min(longest, len(tokens) - i), 0, -1):
            found = replacement(tokens[i : i + n])
            if found is not None:
                out.extend(found)
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return tuple(out)


def normalise(text: str, synonyms: Synonyms) -> Tokens:
    """Words of `text`, synonyms rewritten, plurals folded: the form every phrase and question is compared in."""
    return normalise_words(words(text), synonyms)


def normalise_words(bare: Tokens, synonyms: Synonyms) -> Tokens:
    """`normalise` for words already split by `words` (a caller that also needs the bare words)."""
    return tuple(stem(t) for t in synonyms.rewrite(bare))


def says(tokens: Tokens, phrases: tuple[str, ...]) -> bool:
    """Whether the words hold one of these phrases (each written padded with a space either side)."""
    text = f" {' '.join(tokens)} "
    return any(phrase in text for phrase in phrases)
