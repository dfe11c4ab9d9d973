"""Ordinary worries: 'should I be worried about autism?', 'my daughter is scared of the dark'. An ordinary matter
of growing up (the `everyday-matters` list: speech, sleep, tantrums, being scared of the dark) tells of no harm,
and read as a concern it would send the urgent reply to a parent's question about bedtime. Its own words are no
concern, and a worry whose sentence names one is none either; but only in a message that tells no other
concern anywhere: a worry told beside harm stays a concern."""

from __future__ import annotations

from bot.nlu.lexicon import Lexicon
from bot.nlu.normalise import Tokens
from bot.nlu.sentences import sentence_of

WORRY_WORDS = frozenset({"worried", "worrying", "worry", "concerned", "concern"})
"""A worry as such, which says nothing of what is feared; 'scared' and 'frightened' tell of a child's fear."""


def everyday_positions(tokens: Tokens, matters: tuple[str, ...]) -> set[int]:
    """Where the words of each everyday matter told are ('scared of the dark': all four)."""
    found: set[int] = set()
    for phrase in matters:
        words = tuple(phrase.split())
        n = len(words)
        found.update(j for i in range(len(tokens) - n + 1) if tokens[i : i + n] == words for j in range(i, i + n))
    return found


def without_ordinary_worries(tokens: Tokens, lexicon: Lexicon, sentence_starts: tuple[int, ...] = ()) -> Tokens:
    """The words with every concern inside an everyday matter blanked, and each worry whose sentence names one,
    where the message tells no other concern ('worried my son might be dyslexic, who assesses that?'); the same
    words otherwise. `sentence_starts`: where each sentence begins among the words."""
    concerns = [i for i, t in enumerate(tokens) if t in lexicon.concern_words or t in WORRY_WORDS]
    if not concerns:
        return tokens
    everyday = everyday_positions(tokens, lexicon.everyday_matters)
    if not everyday or any(i not in everyday and tokens[i] not in WORRY_WORDS for i in concerns):
        return tokens  # no everyday matter, or a concern besides one: 'worried about her speech, she has a bruise'
    named = {sentence_of(sentence_starts, i) for i in everyday}  # the sentences naming an everyday matter
    ordinary = {i for i in concerns if i in everyday or sentence_of(sentence_starts, i) in named}
    return tuple("" if i in ordinary else t for i, t in enumerate(tokens)) if ordinary else tokens
