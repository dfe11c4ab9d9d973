"""Ordinary worries: 'should I be worried about autism?', 'my daughter is scared of the dark'. An ordinary matter
of growing up (the `everyday-matters` list: speech, sleep, tantrums, being scared of the dark) that a parent
asks about their own child tells of no harm, and read as a concern it would send the urgent reply to a question
about bedtime. Its own words are no concern, and a worry whose sentence names one is none either; but only in a
message about the writer's own child that tells no other concern anywhere: a worry told beside harm, or of a
child in someone's care at work ('concerned about her speech, she stopped talking since she came back from her
dad's'), stays a concern."""

from __future__ import annotations

from bot.nlu.english import SPEAKERS_OWN
from bot.nlu.lexicon import Lexicon
from bot.nlu.normalise import Tokens
from bot.nlu.sentences import sentence_of

WORRY_WORDS = frozenset({"worried", "worrying", "worry", "concerned", "concern"})
"""A worry as such, which says nothing of what is feared; 'scared' and 'frightened' tell of a child's fear."""
OWN_CHILD_REACH = 3
"""How far after 'my' a child word may stand and be the writer's own child: 'my son', 'my 3 year old', 'my own
daughter'."""
NOT_OWN = frozenset({"pupil", "student", "yp"})
"""'My pupil' is a child in the writer's care at work, not the writer's own to bring up."""


def everyday_positions(tokens: Tokens, matters: tuple[Tokens, ...]) -> set[int]:
    """Where the words of each everyday matter told are ('scared of the dark': all four)."""
    found: set[int] = set()
    for words in matters:
        n = len(words)
        found.update(j for i in range(len(tokens) - n + 1) if tokens[i : i + n] == words for j in range(i, i + n))
    return found


def own_child(tokens: Tokens, lexicon: Lexicon) -> bool:
    """The writer tells of their own child ('my son', 'my 3 year old'): a parent asking about growing up."""
    children = lexicon.child_words - NOT_OWN
    return any(
        t in SPEAKERS_OWN and children.intersection(tokens[i + 1 : i + 1 + OWN_CHILD_REACH])
        for i, t in enumerate(tokens)
    )


def without_ordinary_worries(tokens: Tokens, lexicon: Lexicon, sentence_starts: tuple[int, ...] = ()) -> Tokens:
    """The words with every concern inside an everyday matter blanked, and each worry whose sentence names one,
    where the message tells no other concern ('worried my son might be dyslexic, who assesses that?'); the same
    words otherwise. `sentence_starts`: where each sentence begins among the words."""
    concerns = [i for i, t in enumerate(tokens) if t in lexicon.concern_words or t in WORRY_WORDS]
    if not concerns or not own_child(tokens, lexicon):
        return tokens  # a child in someone's care at work: 'concerned about her speech… since she came back'
    everyday = everyday_positions(tokens, lexicon.everyday_matters)
    if not everyday or any(i not in everyday and tokens[i] not in WORRY_WORDS for i in concerns):
        return tokens  # no everyday matter, or a concern besides one: 'worried about her speech, she has a bruise'
    named = {sentence_of(sentence_starts, i) for i in everyday}  # the sentences naming an everyday matter
    ordinary = {i for i in concerns if sentence_of(sentence_starts, i) in named}  # the matter's words and worries
    return tuple("" if i in ordinary else t for i, t in enumerate(tokens)) if ordinary else tokens
