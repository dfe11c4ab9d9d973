"""Who in a story is a grown-up: kin and clients told with a grown-up's age, the old and their sons and
daughters, colleagues worried about, grown-ups who tell. Safety reads these so that an adult's story ('my dad's
78', 'my client is 22', 'a colleague keeps turning up smelling of alcohol') is not given the children's duty
numbers, while a child told of beside them ('her little brother') still is."""

from __future__ import annotations

import itertools
import re

from bot.nlu.normalise import Tokens
from bot.nlu.thresholds import CHILD_AGE_LIMIT

GROWN_PEOPLE = frozenset(
    {"son", "daughter", "stepson", "stepdaughter", "grandson", "granddaughter", "nephew", "niece", "brother", "sister"}
    | {"dad", "mum", "father", "mother", "grandad", "grandma", "nan", "uncle", "aunt", "auntie"}
    | {"client", "resident", "patient", "tenant", "customer", "woman", "man", "lady", "bloke", "gentleman", "person"}
    | {"neighbour", "neighbor", "friend"}
)
"""Kin, neighbours and the people of adults' services, who may be grown up: 'my son is 30', 'my dad's 78', 'my
client is 22', 'my neighbour's 82' tell of adults, not of a child."""
WORKING = frozenset({"work", "worked", "working", "retired"})
"""After kin: a grown-up's life ('my daughter works for the council')."""
CHILD_AS_SERVICE = frozenset({"child", "children"})
SERVICES = frozenset({"duty", "service", "services", "team", "social", "home", "homes", "centre", "ward", "act"})
"""After 'children': a service, not a child ('children's duty won't take it', 'children's services')."""
YOUNG_KIN = frozenset(
    (young, kin)
    for young in ("little", "baby", "younger", "kid", "small")
    for kin in ("brother", "sister", "brothers", "sisters", "cousin", "cousins")
)
"""Kin told as young ('her little brother', 'my baby sister'): a child, whatever grown-up the story is about."""
GROWN_OFFSPRING = frozenset({"son", "daughter", "stepson", "stepdaughter", "sons", "daughters"})
ELDER_AGE = 60
"""In a story with someone of this age or more ('one of our residents, 84'), a son or daughter is grown up."""
OLD_AGE = frozenset({"elderly", "pensioner", "pensioners", "dementia", "alzheimers"})
OLD_PEOPLE = frozenset(
    {("older", "person"), ("older", "people"), ("older", "adult"), ("old", "lady"), ("old", "man"), ("nursing", "home")}
)
"""Words of old age: the story is a grown-up's, and her son or daughter is grown up too."""
WORRY_ABOUT = frozenset({("worried", "about"), ("concerned", "about"), ("worrying", "about")})
WORRIED = frozenset({"worried", "concerned"})
WORRY_WHOSE_TUPLES = frozenset((word,) for word in ("a", "my", "our", "one"))
"""Between a worry ('worried about', or 'worried' alone) and a grown-up at work (`GROWN_WORRIES`)."""
GROWN_TELLERS = frozenset(
    {"manager", "colleague", "boss", "supervisor", "mum", "mother", "dad", "father", "parent", "parents", "gp"}
)
"""Right before 'told' (or 'has told'): a grown-up who tells ('my manager told me to use you', 'mum has told us
she left'), so 'told' is no child's disclosure; what is told is still read by every other rule."""
GROWN_TELLERS_HAVING = frozenset((teller, "has") for teller in GROWN_TELLERS)
GROWN_TELLINGS = frozenset({"told", "say"})
"""After a grown-up teller: 'my manager told me…', 'my mum says I'm too soft on him' (normalised 'say')."""
GROWN_WORRIES = frozenset({"colleague", "manager", "boss", "supervisor", "staff", "coworker"})
"""After 'worried about a/my': a grown-up at work ('I'm worried about a colleague… recording visits she hasn't
done'), not a child; a child told of in the same story is still read by every other rule. A story whose first
person is one of them, with no child word in it ('a colleague keeps turning up smelling of alcohol… should I
report her?'), is that grown-up's: its 'she' and 'her' are the colleague."""
GROWN_WORRIES_TUPLES = frozenset((word,) for word in GROWN_WORRIES)
GROWN_NOW = re.compile(r" i am (?:1[89]|[2-9][0-9]) now(?= )")
"""'I'm 40 now': the writer tells a grown-up's age, and its 'now' is no time of harm ('I was hurt as a kid in a
children's home in the 90s… I'm 40 now')."""


def worry_about_grown_up(tokens: Tokens, i: int) -> bool:
    """A worry at word i about a grown-up at work: 'worried about a colleague', 'worried my manager…'."""
    skip = 2 if tokens[i : i + 2] in WORRY_ABOUT else 1 if tokens[i] in WORRIED else 0
    return (
        bool(skip)
        and tokens[i + skip : i + skip + 1] in WORRY_WHOSE_TUPLES
        and tokens[i + skip + 1 : i + skip + 2] in GROWN_WORRIES_TUPLES
    )


def grown_people(tokens: Tokens) -> frozenset[str]:
    """Kin or clients told with a grown-up's age or work: 'my son is 30', 'my dad's 78' (written 'dad 78'), 'my
    client is 22', 'my daughter works for the council'; and an old person's sons and daughters."""

    def age(b: str, c: str) -> int:
        if b in WORKING:  # 'my daughter works for the council'
            return CHILD_AGE_LIMIT
        told = c if b in {"is", "was"} else b
        return int(told) if told.isdigit() else 0

    ages = {a: age(b, c) for a, b, c in zip(tokens, tokens[1:], tokens[2:], strict=False) if a in GROWN_PEOPLE}
    grown = {a for a, years in ages.items() if years >= CHILD_AGE_LIMIT}
    elders = old_age(tokens) or max(ages.values(), default=0) >= ELDER_AGE
    return frozenset(grown | (GROWN_OFFSPRING.intersection(tokens) if elders else set()))


def old_age(tokens: Tokens) -> bool:
    """Someone old is told of: 'elderly', 'dementia', 'an older person', an age of `ELDER_AGE` or more."""
    return bool(OLD_AGE.intersection(tokens)) or any(
        (a, b) in OLD_PEOPLE or (a.isdigit() and int(a) >= ELDER_AGE and b == "adult")
        for a, b in itertools.pairwise(tokens)
    )


def no_child_named(tokens: Tokens) -> Tokens:
    """The words with those that name no child blanked: a service ('children's duty won't take it') and a
    child said not to be ('not a child. An elderly patient…', 'no kids')."""
    return tuple(
        ""
        if (t in CHILD_AS_SERVICE and after in SERVICES)
        or tokens[max(0, i - 2) : i] == ("not", "a")
        or tokens[i - 1 : i] == ("no",)  # 'is 19 now, no kids'
        else t
        for i, (t, after) in enumerate(zip(tokens, (*tokens[1:], ""), strict=True))
    )
