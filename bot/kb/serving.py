"""What a knowledge base must hold before the bot may serve it: a valid file can still be unsafe to answer from.

The urgent reply is the one that matters most: without 999 and a duty number for the home area it would
end in nothing. These rules run wherever a knowledge base goes live (`check`, `run`, `ask`, a reload), so a
bad edit is refused everywhere alike.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator

from bot.kb.models import KnowledgeBase, LexiconList, ReplyKind
from bot.kb.problems import PathKey, Problem

EMERGENCY_NUMBER = "999"
ANSWERED_KINDS = frozenset({ReplyKind.ANSWER, ReplyKind.URGENT, ReplyKind.CHAT})
"""Intents of these kinds need a composer; fallback intents (refusals) get the fallback reply."""

LocateEntry = Callable[[str, str, PathKey, str], Problem]
LocateSection = Callable[[str, str], Problem]


def serving_problems(
    kb: KnowledgeBase,
    entry: LocateEntry,
    section: LocateSection,
    answerable: Collection[str] | None,
) -> Iterator[Problem]:
    """Every reason the bot could not serve `kb` safely. `entry(section, id, key, message)` and
    `section(section, message)` turn a finding into a located problem; `answerable` names the intents
    that have a composer (None skips that pairing, for tools that never answer)."""
    if not kb.reviews:
        yield section("reviews", "no reviews: the bot would have nothing to tell practitioners about")
    yield from _home_partnership(kb, entry, section)
    yield from _urgent_routes(kb, section)
    if not kb.intents:
        yield section("intents", "no intents: the bot could not understand any question")
    for intent in kb.intents:
        if not intent.rules and not intent.phrases:
            yield entry("intents", intent.id, (), "no rules and no phrases: no question can reach this intent")
    held = {word_list.id for word_list in kb.lexicon}
    for missing in (name for name in LexiconList if name not in held):
        yield section("lexicon", f"no word list {missing.value!r}: understanding reads every list (see lexicon.yaml)")
    if answerable is not None:
        yield from _composer_pairing(kb, entry, section, answerable)


def _home_partnership(kb: KnowledgeBase, entry: LocateEntry, section: LocateSection) -> Iterator[Problem]:
    homes = [p.id for p in kb.partnerships if p.home]
    if not homes:
        yield section("partnerships", "no partnership is marked `home: true`: exactly one must be")
    for extra in homes[1:]:
        yield entry("partnerships", extra, ("home",), "only one partnership can be home")


def _urgent_routes(kb: KnowledgeBase, section: LocateSection) -> Iterator[Problem]:
    urgent_phones = [c for c in kb.contacts if c.urgent and c.phone]
    if not any(_digits(c.phone) == EMERGENCY_NUMBER for c in urgent_phones):
        yield section("contacts", "no urgent contact with phone 999: the urgent reply must start with it")
    home = next((p for p in kb.partnerships if p.home), None)
    if home is not None and not any(
        home.id in c.partnerships and _digits(c.phone) != EMERGENCY_NUMBER for c in urgent_phones
    ):
        yield section(
            "contacts",
            f"no urgent contact with a phone number for the home partnership's area ({home.area}): "
            f"add one with `urgent: true` and `partnerships: [{home.id}]`",
        )


def _composer_pairing(
    kb: KnowledgeBase, entry: LocateEntry, section: LocateSection, answerable: Collection[str]
) -> Iterator[Problem]:
    declared = {intent.id for intent in kb.intents}
    for intent in kb.intents:
        if intent.kind in ANSWERED_KINDS and intent.id not in answerable:
            yield entry(
                "intents",
                intent.id,
                ("id",),
                f"no composer answers intent {intent.id!r}: register one in bot/answers/ or make it `kind: fallback`",
            )
    for name in sorted(set(answerable) - declared):
        yield section("intents", f"a composer answers {name!r} but no intent of that id is declared")


def _digits(phone: str | None) -> str:
    return "".join(ch for ch in phone or "" if ch.isdigit())
