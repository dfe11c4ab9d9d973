"""Detect anything in a reply that is not public at that moment: the independent check behind tests and
`evaluate`. It reads the full knowledge base (not the view) on purpose, to catch what the view should hide."""

from __future__ import annotations

import datetime as dt

from bot.answers.render import plain_text
from bot.answers.reply import Reply
from bot.kb.models import EmbargoedDocument, KnowledgeBase, PublishedDocument
from bot.kb.visibility import public_view, released


class LeakChecker:
    """What must not appear in any reply at one moment, worked out once and checked against many replies."""

    def __init__(self, kb: KnowledgeBase, now: dt.datetime) -> None:
        view = public_view(kb, now)
        public_urls = {d.url for r in view.reviews for d in r.documents if isinstance(d, PublishedDocument)}
        public_urls |= {r.url for r in view.resources} | {s.url for s in view.statements}
        public_urls |= {p.website for p in view.partnerships} | {c.url for c in view.contacts if c.url}
        # A hidden review may share a name with a visible one ('Child S' in two partnerships): naming the
        # visible one is no leak, so only names that nothing visible uses count.
        public_names = {n.lower() for r in view.reviews for n in (r.name, *r.aliases)}
        visible = {r.id for r in view.reviews}
        texts: set[str] = set()
        urls: set[str] = set()
        for review in kb.reviews:
            for doc in review.documents:
                if isinstance(doc, EmbargoedDocument) and not released(doc.publish_on, now):
                    texts |= {doc.title, doc.summary}
                    urls.add(doc.url)
            if review.id not in visible:
                texts |= {review.name, review.summary, *review.aliases}
        for statement in kb.statements:
            if statement.review not in visible or not released(statement.publish_on, now):
                texts.add(statement.summary)
                urls.add(statement.url)
        self.texts = {t for t in texts if t.lower() not in public_names}
        self.urls = urls - public_urls

    def find(self, reply: Reply) -> list[str]:
        """Every non-public title, summary or URL the reply shows, including in buttons and suggestions."""
        shown = "\n".join([plain_text(reply), *reply.suggestions, *(b.label for b in reply.buttons)]).lower()
        shown_urls = set(reply.links) | {b.url for b in reply.buttons if b.url}
        found = sorted(t for t in self.texts if t.lower() in shown)
        found += sorted(u for u in self.urls if u in shown_urls or u in shown)
        return found


def find_leaks(reply: Reply, kb: KnowledgeBase, now: dt.datetime) -> list[str]:
    """One reply's leaks (builds a checker: use LeakChecker directly for many replies)."""
    return LeakChecker(kb, now).find(reply)
