"""Ordinary worries: 'should I be worried about autism?', 'worried about his sleep'. A worry about an ordinary
matter of growing up (the `everyday-matters` list: speech, sleep, tantrums, exams) tells of no harm, and read as a
concern it would send the urgent reply to a parent's question about bedtime. Only a message with no other concern
anywhere in it is read so: a worry told beside harm stays a concern."""

from __future__ import annotations

from bot.nlu.lexicon import Lexicon
from bot.nlu.normalise import Tokens, says
from bot.nlu.sentences import sentence_of

WORRY_WORDS = frozenset({"worried", "worrying", "worry", "concerned", "concern"})
"""A worry as such, which says nothing of what is feared; 'scared' and 'frightened' tell of a child's fear."""


def without_ordinary_worries(tokens: Tokens, lexicon: Lexicon, sentence_starts: tuple[int, ...] = ()) -> Tokens:
    """The words with each worry blanked whose sentence names an everyday matter, where the message tells no
    other concern ('worried my son might be dyslexic, who assesses that?'); the same words otherwise.
    `sentence_starts`: where each sentence begins among the words."""
    worries = [i for i, t in enumerate(tokens) if t in WORRY_WORDS]
    if not worries or any(t in lexicon.concern_words and t not in WORRY_WORDS for t in tokens):
        return tokens
    bounds = (*sentence_starts, len(tokens)) if sentence_starts else (0, len(tokens))
    ordinary = set()
    for i in worries:
        k = sentence_of(sentence_starts, i)
        if says(tokens[bounds[k] : bounds[k + 1]], lexicon.everyday_matters):
            ordinary.add(i)
    return tuple("" if i in ordinary else t for i, t in enumerate(tokens)) if ordinary else tokens
