"""Lint a valid knowledge base for things that are legal but probably wrong: stale entries, clashing phrases."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from bot.kb.models import Entry, KnowledgeBase, PublishedDocument
from bot.nlu.normalise import Synonyms, Tokens, normalise

DEFAULT_STALE_MONTHS = 12


@dataclass(frozen=True, order=True)
class LintWarning:
    """Something an editor should look at; never stops the bot."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"warning: {self.where}: {self.message}"

    def located(self, locate: Callable[[str], str]) -> str:
        """As `check` prints it: the file and line first, like an error, when the entry can be found."""
        place = locate(self.where)
        return f"warning: {place}: {self.where}: {self.message}" if place else str(self)


def _entries(kb: KnowledgeBase) -> list[tuple[str, Entry]]:
    found: list[tuple[str, Entry]] = []
    for section in ("partnerships", "reviews", "statements", "resources", "themes", "contacts", "terms", "topics"):
        for entry in getattr(kb, section):
            found.append((f"{section}.{entry.id}", entry))
    for review in kb.reviews:
        found.extend((f"reviews.{review.id}.documents.{doc.id}", doc) for doc in review.documents)
    return found


def _normaliser(kb: KnowledgeBase) -> Callable[[str], Tokens]:
    """Compare phrases the way the matcher will: after the knowledge base's own synonyms."""
    synonyms = Synonyms((s.canonical, s.variants) for s in kb.synonyms)
    return lambda text: normalise(text, synonyms)


def _months_before(day: dt.date, months: int) -> dt.date:
    """The same calendar day `months` earlier (the month's last day when it is shorter)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    for candidate in range(day.day, 27, -1):
        try:
            return dt.date(year, month + 1, candidate)
        except ValueError:
            continue
    return dt.date(year, month + 1, min(day.day, 28))


def stale_entries(kb: KnowledgeBase, today: dt.date, months: int = DEFAULT_STALE_MONTHS) -> list[LintWarning]:
    """Entries whose `checked` date is older than `months` months."""
    limit = _months_before(today, months)
    return [
        LintWarning(f"{where}.checked", f"last checked {entry.checked.isoformat()}, more than {months} months ago")
        for where, entry in _entries(kb)
        if entry.checked < limit
    ]


def clashing_aliases(kb: KnowledgeBase) -> list[LintWarning]:
    """One phrase that names two entries of the same kind: the bot would have to ask every time."""
    norm = _normaliser(kb)
    names: dict[tuple[str, tuple[str, ...]], set[str]] = defaultdict(set)
    for review in kb.reviews:
        for alias in (review.name, *review.aliases):
            names[("review", norm(alias))].add(review.id)
    for theme in kb.themes:
        for alias in (theme.name, *theme.aliases):
            names[("theme", norm(alias))].add(theme.id)
    return [
        LintWarning(
            f"{kind}s.{min(ids)}.aliases", f"'{' '.join(tokens)}' names {len(ids)} entries: {', '.join(sorted(ids))}"
        )
        for (kind, tokens), ids in sorted(names.items())
        if len(ids) > 1
    ]


def clashing_intent_phrases(kb: KnowledgeBase) -> list[LintWarning]:
    """The same example phrase under two intents: one of them can never win it."""
    norm = _normaliser(kb)
    owners: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for intent in kb.intents:
        for phrase in intent.phrases:
            owners[norm(phrase)].add(intent.id)
    return [
        LintWarning(f"intents.{min(ids)}.phrases", f"phrase '{' '.join(tokens)}' belongs to {', '.join(sorted(ids))}")
        for tokens, ids in sorted(owners.items())
        if len(ids) > 1
    ]


def undated_publications(kb: KnowledgeBase) -> list[LintWarning]:
    """Published documents without a date sort last in 'latest'; fine when no source gives one."""
    return [
        LintWarning(
            f"reviews.{review.id}.documents.{doc.id}.published_on",
            "published_on is null: it will be listed as 'date not given'",
        )
        for review in kb.reviews
        for doc in review.documents
        if isinstance(doc, PublishedDocument) and doc.published_on is None
    ]


def future_publications(kb: KnowledgeBase, today: dt.date) -> list[LintWarning]:
    """A publication dated after today is a typo, or an embargo written as a publication (shown at once)."""
    dated = [
        (f"reviews.{review.id}.documents.{doc.id}.published_on", doc.published_on)
        for review in kb.reviews
        for doc in review.documents
        if isinstance(doc, PublishedDocument)
    ]
    dated += [(f"resources.{r.id}.published_on", r.published_on) for r in kb.resources]
    return [
        LintWarning(
            where,
            f"published_on {day.isoformat()} is in the future: it is shown now; for a later release write "
            "`status: embargoed` with `publish_on`",
        )
        for where, day in dated
        if day is not None and day > today
    ]


def lint(kb: KnowledgeBase, today: dt.date, stale_months: int = DEFAULT_STALE_MONTHS) -> list[LintWarning]:
    return sorted(
        stale_entries(kb, today, stale_months)
        + clashing_aliases(kb)
        + clashing_intent_phrases(kb)
        + undated_publications(kb)
        + future_publications(kb, today)
    )
