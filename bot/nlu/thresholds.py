"""Every threshold, score and margin of understanding, in one place, so each decision can be reviewed alone.

Scores are on the 0-100 confidence scale a reply carries. An intent rule scores by how many word groups it
needs ('latest + review' is two); a named entry scores by whether a typo was corrected to find it.
"""

from __future__ import annotations

# ----- answering or not ---------------------------------------------------------------------------
THRESHOLD = 65.0
"""Below this confidence the bot does not answer."""
AMBIGUITY_MARGIN = 4.0
"""When two different entries of the same kind score within this margin, ask which was meant."""
CHOICES = 3
"""'Did you mean …?' offers at most this many."""
HALF_NAMED_CONFIDENCE = 50.0
"""The confidence of a 'Did you mean …?' offered when nothing answered confidently."""
NEVER = 101.0
"""Above any confidence: a bar nothing reaches."""

# ----- intent rules -------------------------------------------------------------------------------
RULE_SCORES = {1: 70.0, 2: 85.0}
"""A rule of one word group, of two."""
RULE_SCORE_MANY = 92.0
"""A rule of three groups or more."""
ONE_CUE = RULE_SCORES[1]
"""One cue word: enough for the urgent reply, not enough to answer a question touching no entry."""
FULL_STRENGTH = RULE_SCORES[2]
"""A rule of two groups: the question clearly asks this."""
WEAK_RULE_SCORE = 66.0
"""A rule written '~ …': a generic cue ('what was') that supports a named entry but never answers alone
and never decides which of two questions came first."""
PHRASE_CUTOFF = 82.0
"""How close (fuzz.ratio) a question must be to an intent's example phrasing."""
PHRASE_LIMIT = 5
"""How many example phrasings are looked at per question."""
TOPIC_CUTOFF = 60.0
"""How close (fuzz.token_set_ratio) a question must be to an explainer topic's title or aliases."""

# ----- entries ------------------------------------------------------------------------------------
ENTITY_SCORE = 80.0
ENTITY_CORRECTED_SCORE = 74.0
INTENT_WITH_ENTITY_BONUS = 10.0
NATURAL_PENALTY = {
    "review": 0.0,
    "theme": 0.0,
    "contact": 0.0,
    "statement": 0.0,
    "resource": 1.0,
    "term": 2.0,
    "topic": 2.0,
    "partnership": 3.0,
}
"""Entry kinds named alone: a review name outranks a glossary word that happens to appear beside it."""
UNKNOWN_WORD_PENALTY = 5.0
"""A name alone in a sentence of words we do not know ('Coventry SCR Daniel Pelka') is not a question for us."""
FIRST_QUESTION_WINDOW = 15.0
"""How close a second answer must score for the order of the questions to decide between them."""
UNUSED_ENTRY_PENALTY = 15.0
"""An intent that could have used the named entries but did not is probably not what was asked."""
BAG_PARTIAL_MIN = 4
"""Names of this many words match when three quarters of their words appear, in any order."""
BAG_COVERAGE = 0.75
BAG_COMMON_WORD_REFS = 3
"""Only words shared by this many entries may be missing from a long name ('council', not 'Rutland')."""
HALF_NAME_SHORT = 4
"""Words: a question this short may half-name a review with no review word in it."""
DETERMINER_REACH = 3
"""How far 'the' may stand from the review word it picks: 'the 2024 Leicester LCSPR'."""
NAME_REACH = 5
"""'the national review into the death of Arthur Labinjo-Hughes': how far a name may stand from 'review'."""
ORIGIN_REACH = 5
"""How far before a place a word of origin may stand and make it where someone comes from: 'moved here from
Derby', 'my last job was in Northampton'."""
MAX_SCAN = 500
"""Characters of a message scanned for unknown full names."""
CHILD_AGE_LIMIT = 18
"""'girl 14' is a child's age; 'child 2024' is not."""

# ----- spelling -----------------------------------------------------------------------------------
SHORTEST_CORRECTED = 4
"""Shorter words are never corrected; words of exactly this length only toward the home partnership's review
names, or by swapping two neighbouring letters ('cpsr' -> 'cspr')."""
SHORTEST_TARGET = 3
"""Vocabulary words shorter than this are never what a typo meant."""
WORD_TWO_EDITS = 10
"""Words this long may be two edits from the vocabulary word meant; shorter real words sit two edits apart."""
NAME_TWO_EDITS = 7
"""Toward the home partnership's review names, two edits from this length ('patrisha' -> 'patricia')."""
WORD_CACHE_SIZE = 8192
"""Single words recur across questions: their normal forms and corrections are cached."""
OPENING_WORDS = 5
"""A greeting, thanks or plea for help comes in a message's first words ('what do i use this for'); later,
its word is part of a question ('my report tomorrow morning')."""
URGENT_REACH = 10
"""In a long message, an urgent rule's words must fall within this many neighbouring words: a story spreads
'think', 'child', 'missing' through a hundred words of a training day, where 'I think the child is being hit'
says them together. Short messages keep their bag of words: a hurried 'baby on a CP plan, parents not
answering the door' is read whole."""
SAFE_REACH = 6
"""How far 'now' may sit from 'is safe' and belong to it ('she is safe in foster care now')."""
HEDGE_REACH = 4
"""Words after 'not urgent' within which a hedge makes it a doubt: 'not an emergency I do not think'."""

QUOTED_WORDS = 3
"""Words of one statement's own a question must share to quote it ('committed', 'reviewing', 'practice')."""
QUOTED_SHORTEST = 3
"""Words of up to this many letters say too little to recognise a statement by."""
