"""Detect anything in a reply that is not public at that moment: the independent check behind tests and
`evaluate`. It reads the full knowledge base (not the view) on purpose, to catch what the view should hide."""

from __future__ import annotations

import datetime as dt

from bot.models import EmbargoedDocument, KnowledgeBase, PublishedDocument
from bot.render import plain_text
from bot.reply import Reply
from bot.visibility import public_view, released


def _public_urls(kb: KnowledgeBase, now: dt.datetime) -> set[str]:
    view = public_view(kb, now)
    urls = {d.url for r in view.reviews for d in r.documents if isinstance(d, PublishedDocument)}
    urls |= {r.url for r in view.resources} | {s.url for s in view.statements}
    urls |= {p.website for p in view.partnerships} | {c.url for c in view.contacts if c.url}
    return urls


def secrets(kb: KnowledgeBase, now: dt.datetime) -> tuple[set[str], set[str]]:
    """(texts, urls) that must not appear in any reply at `now`."""
    texts: set[str] = set()
    urls: set[str] = set()
    public = _public_urls(kb, now)
    visible_reviews = {r.id for r in public_view(kb, now).reviews}
    for review in kb.reviews:
        for doc in review.documents:
            if isinstance(doc, EmbargoedDocument) and not released(doc.publish_on, now):
                texts |= {doc.title, doc.summary}
                if doc.url not in public:
                    urls.add(doc.url)
        if review.id not in visible_reviews:
            texts |= {review.name, review.summary, *review.aliases}
    for statement in kb.statements:
        if statement.review not in visible_reviews or not released(statement.publish_on, now):
            texts.add(statement.summary)
            if statement.url not in public:
                urls.add(statement.url)
    return texts, urls


def find_leaks(reply: Reply, kb: KnowledgeBase, now: dt.datetime) -> list[str]:
    """Every non-public title, summary or URL the reply shows, including in buttons and suggestions."""
    texts, urls = secrets(kb, now)
    shown = "\n".join([plain_text(reply), *reply.suggestions, *(b.label for b in reply.buttons)]).lower()
    shown_urls = set(reply.links) | {b.url for b in reply.buttons if b.url}
    found = sorted(t for t in texts if t.lower() in shown)
    found += sorted(u for u in urls if u in shown_urls or u in shown)
    return found
