"""Compose a neutral Reply from what the matcher understood and the public view.

Only the public view reaches this module, so nothing here needs to remember publication rules: a
withheld document has no URL or summary to show, an embargoed one is simply absent.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import replace

from bot.answers.reply import Block, Button, Line, Reply, Span, link, para, strong, text
from bot.kb.models import (
    Contact,
    KnowledgeBase,
    Partnership,
    PublishedDocument,
    ReplyKind,
    Resource,
    ResourceKind,
    Review,
    Statement,
    Term,
    Theme,
    WithdrawnDocument,
    WithheldDocument,
)
from bot.nlu.matcher import Match, Ref, action_for, latest_date

MENU_BUTTONS = (
    Button("Latest reviews", "latest_reviews"),
    Button("Themes", "themes"),
    Button("How reviews work", "how_reviews_work"),
    Button("Urgent contacts", "contacts"),
)
DOC_TYPE_LABEL = {
    "report": "Report",
    "briefing": "Briefing",
    "learning_briefing": "Learning briefing",
    "improvements_made_briefing": "Improvements made briefing",
    "statement": "Statement",
}
WHAT_I_DO = (
    "I answer questions about {area}'s published child safeguarding practice reviews: the latest "
    "reviews, what each one is and where to read it, what the partnership said, how reviews work, "
    "NSPCC learning on a theme, and whom to call about a child."
)
"""Filled with the home partnership's area as its editors wrote it, without the gloss: 'Leicester (the
city)' gives 'Leicester'. Nothing in the code names a place: another partnership adopts the bot by content."""
TRY_ASKING = 'Try: "latest reviews", "Child E", "neglect learning", "what is an SCR", "contacts".'
DANGER_LINE = "If a child is in immediate danger, call 999 now."
LIST_LIMIT = 10
REVIEWS_PAGE = "lscpb-learning-from-reviews"  # where the home partnership publishes its reviews
"""Most reviews listed in one reply: a phone screen, not a catalogue."""


ComposeFn = Callable[["Composer", Match], Reply]
_COMPOSERS: dict[str, ComposeFn] = {}


def composes(intent: str) -> Callable[[ComposeFn], ComposeFn]:
    """Register the composer of `intent`: an intent is its YAML plus exactly one of these."""

    def register(compose: ComposeFn) -> ComposeFn:
        if intent in _COMPOSERS:
            raise ValueError(f"intent {intent!r} already has a composer")
        _COMPOSERS[intent] = compose
        return compose

    return register


def withdraw_composer(intent: str) -> None:
    """Forget a registered composer (for tests and plug-ins that register their own)."""
    _COMPOSERS.pop(intent, None)


def answerable_intents() -> frozenset[str]:
    """The intents that have a composer; `check` pairs them with the intents the knowledge base declares."""
    return frozenset(_COMPOSERS)


def with_linked(ids: list[str], linked: Callable[[str], Iterable[str]], known: Container[str]) -> list[str]:
    """The ids, then the known ids each one links to (what a framework follows, what replaced a term), once each."""
    return list(dict.fromkeys([*ids, *(j for i in ids for j in linked(i) if j in known)]))


def uk_date(day: dt.date) -> str:
    """31 July 2024."""
    return f"{day.day} {day:%B %Y}"


def _doc_date(doc: PublishedDocument) -> str:
    return uk_date(doc.published_on) if doc.published_on else "date not given"


def _abbreviation(term: Term) -> str:
    """'LCSPR' from 'LCSPR - Local Child Safeguarding Practice Review (also written LSCPR)'."""
    return term.term.split(" - ")[0]


def _published_on(doc: PublishedDocument) -> str:
    return f"published {uk_date(doc.published_on)}" if doc.published_on else "publication date not given"


class Composer:
    """Turns a Match into a Reply against one public view."""

    def __init__(self, view: KnowledgeBase) -> None:
        self.view = view
        self.reviews = {r.id: r for r in view.reviews}
        self.themes = {t.id: t for t in view.themes}
        self.terms = {t.id: t for t in view.terms}
        self.resources = {r.id: r for r in view.resources}
        self.contacts = sorted(view.contacts, key=lambda c: c.order)
        self.partnerships = {p.id: p for p in view.partnerships}
        self.topics = {t.id: t for t in view.topics}
        self.statements = {s.id: s for s in view.statements}
        self.home = next((p for p in view.partnerships if p.home), None)
        self.what_i_do = WHAT_I_DO.format(area=self.home.area.split(" (")[0] if self.home else "the local partnership")
        self._name_count = Counter(r.name for r in view.reviews)
        # Indexes built once per view, so no reply scans every review of a large knowledge base.
        self._by_partnership: dict[str | None, list[Review]] = defaultdict(list)
        self._with_theme: dict[str, list[Review]] = defaultdict(list)
        for review in sorted(view.reviews, key=latest_date, reverse=True):
            self._by_partnership[review.partnership].append(review)
            for theme_id in review.themes:
                self._with_theme[theme_id].append(review)
        self._statements_of: dict[str, list[Statement]] = defaultdict(list)
        for statement in view.statements:
            self._statements_of[statement.review].append(statement)
        self._briefings_of: dict[str, list[Resource]] = defaultdict(list)
        self._pages_of: dict[str, list[Resource]] = defaultdict(list)  # web pages by publisher
        for resource in view.resources:
            for theme_id in resource.themes:
                self._briefings_of[theme_id].append(resource)
            if resource.kind == ResourceKind.WEBSITE:
                self._pages_of[resource.publisher].append(resource)
        self._tables: dict[str, Mapping[str, object]] = {
            "review": self.reviews,
            "theme": self.themes,
            "term": self.terms,
            "resource": self.resources,
            "partnership": self.partnerships,
            "topic": self.topics,
            "statement": self.statements,
            "contact": {c.id: c for c in self.contacts},
        }

    # ----- entry point ---------------------------------------------------------------------------
    @property
    def intents(self) -> frozenset[str]:
        """Every intent this composer can answer (button actions name one of these)."""
        return answerable_intents()

    def has(self, kind: str, entry_id: str) -> bool:
        """Is the entry visible in this view? Old buttons may name something since removed."""
        return entry_id in self._tables.get(kind, {})

    def compose(self, match: Match) -> Reply:
        if match.kind == ReplyKind.CLARIFY:
            return self._clarify(match)
        compose = _COMPOSERS.get(match.intent or "")
        if match.kind == ReplyKind.FALLBACK or compose is None:
            return self._fallback(match)
        reply = compose(self, match)
        if match.alternatives:
            reply = self._with_alternatives(reply, match.alternatives)
        for intent, refs in match.also:
            also = _COMPOSERS.get(intent)
            if also is not None and intent != match.intent:
                extra = also(self, Match(ReplyKind.ANSWER, intent, refs, match.confidence))
                entries = tuple(dict.fromkeys(reply.entries + extra.entries))
                reply = replace(reply, blocks=reply.blocks + extra.blocks, entries=entries)
        return reply

    def _review_label(self, review: Review) -> str:
        """The review's name, with its partnership when another partnership uses the same name."""
        partnership = self.partnerships.get(review.partnership)
        if partnership is None or self._name_count[review.name] < 2:
            return review.name
        return f"{review.name} ({partnership.short_name})"

    def _with_alternatives(self, reply: Reply, alternatives: tuple[Ref, ...]) -> Reply:
        """Name the other partnerships' reviews of the same name, as choices."""
        reviews = [self.reviews[r.id] for r in alternatives if r.id in self.reviews]
        labels = [self._review_label(r) for r in reviews]
        note = para("Other partnerships have a review by the same name: " + "; ".join(labels) + ".")
        buttons = tuple(Button(label, f"review:{r.id}") for label, r in zip(labels, reviews, strict=True))
        return replace(reply, blocks=(*reply.blocks, note), buttons=buttons + reply.buttons, suggestions=tuple(labels))

    def _reply(
        self,
        match: Match,
        blocks: Iterable[Block],
        entries: Iterable[str],
        buttons: Iterable[Button] = (),
        kind: ReplyKind = ReplyKind.ANSWER,
    ) -> Reply:
        return Reply(
            kind=kind,
            blocks=tuple(blocks),
            intent=match.intent,
            entries=tuple(dict.fromkeys(entries)),
            confidence=match.confidence,
            buttons=tuple(buttons),
        )

    def _ids(self, match: Match, kind: str) -> list[str]:
        return [r.id for r in match.refs if r.kind == kind]

    # ----- reviews ---------------------------------------------------------------------------------
    def _review_type(self, review: Review) -> str:
        term = self.terms.get(review.review_type)
        return _abbreviation(term) if term else review.review_type.upper()

    def _recent_reviews(self, partnership: str | None = None) -> list[Review]:
        """Reviews of a partnership (default: home), newest first, at most LIST_LIMIT."""
        return self._by_partnership.get(partnership or (self.home.id if self.home else None), [])[:LIST_LIMIT]

    def _doc_lines(self, review: Review) -> list[Line]:
        lines: list[Line] = []
        published = {d.id: d for d in review.documents if isinstance(d, PublishedDocument)}
        for doc in review.documents:
            label = DOC_TYPE_LABEL[doc.type]
            if isinstance(doc, PublishedDocument):
                lines.append((text(f"• {label}, {_published_on(doc)}: "), link("read it", doc.url)))
            elif isinstance(doc, WithheldDocument):
                line: list[Span] = [text(f"• {label}: not published and will not be. {doc.reason}")]
                instead = published.get(doc.instead) if doc.instead else None
                if instead is not None:
                    line += [text(" Read instead: "), link(DOC_TYPE_LABEL[instead.type].lower(), instead.url)]
                lines.append(tuple(line))
            elif isinstance(doc, WithdrawnDocument):
                reason = f" {doc.reason}" if doc.reason else ""
                lines.append((text(f"• {label}: withdrawn, no longer available.{reason}"),))
        return lines

    def _review_block(self, review: Review) -> list[Block]:
        partnership = self.partnerships.get(review.partnership)
        heading: Line = (strong(review.name), text(f" ({self._review_type(review)})"))
        blocks = [para(heading, review.summary)]
        by = f"Published by the {partnership.name}." if partnership else ""
        blocks.append(para(*(["What was published:"] + self._doc_lines(review) + ([by] if by else []))))
        for statement in self._statements_for(review.id):
            blocks.append(para(f"Statement: {statement.by}, {statement.role}. {statement.where or ''}".strip()))
        return blocks

    def _statements_for(self, review_id: str) -> list[Statement]:
        return self._statements_of.get(review_id, [])

    def _review_buttons(self, review: Review) -> list[Button]:
        buttons = [
            Button(f"Open: {DOC_TYPE_LABEL[d.type]}", url=d.url)
            for d in review.documents
            if isinstance(d, PublishedDocument)
        ][:1]
        if self._statements_for(review.id):
            buttons.append(Button("What the chair said", f"statement:{review.id}"))
        return [*buttons, Button("Latest reviews", "latest_reviews"), Button("Menu", "help")]

    def _selected_reviews(self, match: Match) -> list[Review]:
        return [self.reviews[i] for i in self._ids(match, "review") if i in self.reviews]

    @composes("review")
    def _review(self, match: Match) -> Reply:
        reviews = self._selected_reviews(match)
        if not reviews:
            return self._latest(match)
        blocks = [b for r in reviews for b in self._review_block(r)]
        return self._reply(match, blocks, [r.id for r in reviews], self._review_buttons(reviews[0]))

    @composes("latest_reviews")
    def _latest(self, match: Match) -> Reply:
        partnership_ids = self._ids(match, "partnership")
        partnership = self.partnerships.get(partnership_ids[0]) if partnership_ids else self.home
        reviews = self._recent_reviews(partnership.id if partnership else None)
        name = partnership.name if partnership else "the partnership"
        if not reviews:
            blocks = [para(f"I don't hold the reviews of the {name}.")]
            if partnership:
                blocks.append(para((text("Their website: "), link(partnership.website, partnership.website))))
            return self._reply(match, blocks, [partnership.id] if partnership else [], MENU_BUTTONS)
        lines: list[Line] = []
        dated = sorted(
            ((d, r) for r in reviews for d in r.documents if isinstance(d, PublishedDocument)),
            key=lambda pair: pair[0].published_on or dt.date.min,
            reverse=True,
        )
        period = match.period
        if period is not None:
            in_period = [(d, r) for d, r in dated if period.holds(d.published_on)]
            if in_period:
                return self._period_reply(match, name, in_period, period.label())
            lines.append((text(f"Nothing here was published in {period.label()}."),))
        lines.extend(self._publication_line(doc, review) for doc, review in dated)
        withheld = [(r, d) for r in reviews for d in r.documents if isinstance(d, WithheldDocument)]
        for review, kept_back in withheld:
            label = DOC_TYPE_LABEL[kept_back.type].lower()
            lines.append((strong(review.name), text(f": the full {label} is withheld and will not be published.")))
        blocks = [para(f"Latest publications from the {name}, newest first:", *lines)]
        archive = self.resources.get("lscpb-archive")
        if archive:
            blocks.append(para((text("Older reviews: "), link(archive.title, archive.url))))
        buttons = [Button(r.name, f"review:{r.id}") for r in reviews[:3]] + [Button("Menu", "help")]
        return self._reply(match, blocks, [r.id for r in reviews], buttons)

    def _period_reply(
        self, match: Match, name: str, dated: list[tuple[PublishedDocument, Review]], label: str
    ) -> Reply:
        """The publications of one month or year, newest first."""
        lines = [self._publication_line(doc, review) for doc, review in dated]
        reviews = list({review.id: review for _, review in dated}.values())
        buttons = [Button(r.name, f"review:{r.id}") for r in reviews[:3]] + [Button("Latest reviews", "latest_reviews")]
        return self._reply(
            match,
            [para(f"Published by the {name} in {label}, newest first:", *lines)],
            [r.id for r in reviews],
            buttons,
        )

    def _publication_line(self, doc: PublishedDocument, review: Review) -> Line:
        return (
            text(f"• {_doc_date(doc)}: "),
            strong(review.name),
            text(f", {DOC_TYPE_LABEL[doc.type].lower()} ({self._review_type(review)}): "),
            link("read it", doc.url),
        )

    @composes("where_to_read")
    def _where(self, match: Match) -> Reply:
        reviews = self._selected_reviews(match)
        blocks: list[Block] = []
        for review in reviews:
            blocks.append(para((strong(review.name),), *self._doc_lines(review)))
        for ref in match.refs:
            resource = self.resources.get(ref.id) if ref.kind == "resource" else None
            theme = self.themes.get(ref.id) if ref.kind == "theme" else None
            partnership = self.partnerships.get(ref.id) if ref.kind == "partnership" else None
            if resource:
                blocks.append(para((strong(resource.title), text(": ")), (link(resource.url, resource.url),)))
            for briefing in self._briefings(theme) if theme else []:
                blocks.append(para((strong(briefing.title), text(": ")), (link(briefing.url, briefing.url),)))
            page = self.resources.get(REVIEWS_PAGE)
            if partnership and page and page.publisher == partnership.name:
                blocks.append(
                    para(
                        f"{partnership.name} publishes its reviews on its Learning From Reviews page:",
                        (link(page.url, page.url),),
                    )
                )
            elif partnership:
                blocks.append(
                    para((strong(partnership.name), text(": ")), (link(partnership.website, partnership.website),))
                )
        if not blocks:
            page = self.resources.get(REVIEWS_PAGE)
            if page:
                blocks.append(
                    para(
                        "Local reviews, briefings and statements are published on the Learning From Reviews page:",
                        (link(page.url, page.url),),
                    )
                )
            return self._reply(match, blocks, [page.id] if page else [], MENU_BUTTONS)
        buttons = self._review_buttons(reviews[0]) if reviews else [Button("Menu", "help")]
        return self._reply(match, blocks, [r.id for r in match.refs], buttons)

    @composes("statement")
    def _statement(self, match: Match) -> Reply:
        review_ids = self._ids(match, "review")
        chosen = [self.statements[i] for i in self._ids(match, "statement") if i in self.statements]
        if review_ids:
            chosen = [s for review_id in review_ids for s in self._statements_for(review_id)]
        elif not chosen:
            chosen = [s for r in self._recent_reviews() for s in self._statements_for(r.id)]
        blocks: list[Block] = []
        for statement in chosen:
            review = self.reviews.get(statement.review)
            title = f"On {review.name}" if review else "Statement"
            lines: list[Line] = [(strong(title), text(f": {statement.by}, {statement.role}."))]
            if statement.where:
                lines.append((text(statement.where + "."),))
            lines.append((text(statement.summary),))
            lines.extend((text(f"“{q}”"),) for q in statement.quote)
            lines.append((link("Read it on the partnership's page", statement.url),))
            blocks.append(para(*lines))
        for review_id in review_ids:
            if not any(s.review == review_id for s in chosen) and review_id in self.reviews:
                review = self.reviews[review_id]
                blocks.append(
                    para(
                        f"No statement is recorded for {review.name}. This is what was published:",
                        *self._doc_lines(review),
                    )
                )
        entries = review_ids or [s.review for s in chosen]
        return self._reply(match, blocks, entries, [Button("Latest reviews", "latest_reviews"), Button("Menu", "help")])

    # ----- learning and guidance -------------------------------------------------------------------
    def _resource_block(self, resource: Resource) -> Block:
        return para((strong(resource.title),), resource.summary, (link(resource.url, resource.url),))

    @composes("how_reviews_work")
    def _how(self, match: Match) -> Reply:
        topic_ids = self._ids(match, "topic") or ["how-reviews-work"]
        blocks: list[Block] = []
        for term_id in self._ids(match, "term"):
            term = self.terms.get(term_id)
            if term:
                blocks.append(para((strong(term.term),), term.meaning))
        related: list[str] = []
        for topic_id in topic_ids:
            topic = self.topics.get(topic_id)
            if topic:
                blocks.append(para((strong(topic.title),), *(f"• {point}" for point in topic.points)))
                related += topic.related
        blocks += [self._resource_block(self.resources[r]) for r in dict.fromkeys(related) if r in self.resources]
        entries = topic_ids + self._ids(match, "term")
        return self._reply(match, blocks, entries, [Button("Glossary: CSPR", "glossary:cspr"), Button("Menu", "help")])

    def _resources_reply(self, match: Match, default: Iterable[str], kinds: set[ResourceKind]) -> Reply:
        ids = [i for i in self._ids(match, "resource") if i in self.resources and self.resources[i].kind in kinds]
        ids = ids or [i for i in default if i in self.resources]
        # what a local framework follows is part of the answer: 'what guidance are the local reviews based on?'
        ids = with_linked(ids, lambda i: self.resources[i].informed_by, self.resources)
        blocks = [self._resource_block(self.resources[i]) for i in ids]
        return self._reply(match, blocks, ids, [Button("How reviews work", "how_reviews_work"), Button("Menu", "help")])

    @composes("framework")
    def _framework(self, match: Match) -> Reply:
        kinds = {ResourceKind.FRAMEWORK, ResourceKind.GUIDANCE, ResourceKind.PROCEDURES, ResourceKind.WEBSITE}
        return self._resources_reply(match, ["llr-framework", "working-together-2023", "llr-procedures"], kinds)

    @composes("national_repository")
    def _repository(self, match: Match) -> Reply:
        reply = self._resources_reply(match, ["nspcc-repository", "nspcc-recent-reviews"], {ResourceKind.REPOSITORY})
        themes = self._ids(match, "theme")
        if not themes:
            return reply
        extra = self._theme(Match(ReplyKind.ANSWER, "theme", tuple(Ref("theme", t) for t in themes)))
        return self._reply(match, reply.blocks + extra.blocks, reply.entries + extra.entries, reply.buttons)

    @composes("archive")
    def _archive(self, match: Match) -> Reply:
        return self._resources_reply(match, ["lscpb-archive"], {ResourceKind.ARCHIVE})

    def _briefings(self, theme: Theme) -> list[Resource]:
        return self._briefings_of.get(theme.id, [])

    @composes("themes")
    def _themes(self, match: Match) -> Reply:
        lines: list[Line] = []
        for theme in self.view.themes:
            briefing = next(iter(self._briefings(theme)), None)
            lines.append((text("• "), link(theme.name, briefing.url)) if briefing else (text(f"• {theme.name}"),))
        blocks = [para("NSPCC Learning's briefings from case reviews, by theme and sector:", *lines)]
        repository = self.resources.get("nspcc-repository")
        if repository:
            blocks.append(para((text("Published case reviews in one place: "), link(repository.title, repository.url))))
        buttons = [Button(t.name, f"theme:{t.id}") for t in self.view.themes[:4]] + [Button("Menu", "help")]
        return self._reply(match, blocks, [t.id for t in self.view.themes], buttons)

    @composes("theme")
    def _theme(self, match: Match) -> Reply:
        themes = [self.themes[i] for i in self._ids(match, "theme") if i in self.themes]
        blocks: list[Block] = []
        for theme in themes:
            lines: list[Line] = [(strong(theme.name),), (text(theme.summary),)]
            for briefing in self._briefings(theme):
                lines.append((text(f"{briefing.publisher}: "), link(briefing.title, briefing.url)))
            local = self._with_theme.get(theme.id, [])[:LIST_LIMIT]
            if local:
                names = ", ".join(self._review_label(r) for r in local)
                lines.append((text(f"Reviews on this theme: {names}"),))
            else:
                lines.append((text("No local review is tagged with this theme."),))
            blocks.append(para(*lines))
        buttons = [Button("All themes", "themes"), Button("Menu", "help")]
        return self._reply(match, blocks, [t.id for t in themes], buttons)

    @composes("glossary")
    def _glossary(self, match: Match) -> Reply:
        named = [i for i in self._ids(match, "term") if i in self.terms]
        # what replaced a term is part of its meaning: 'what replaced SCRs?'
        terms = [self.terms[i] for i in with_linked(named, lambda i: self.terms[i].replaced_by, self.terms)]
        blocks = [para((strong(t.term),), t.meaning) for t in terms]
        return self._reply(
            match,
            blocks,
            [t.id for t in terms],
            [Button("How reviews work", "how_reviews_work"), Button("Menu", "help")],
        )

    # ----- people to call --------------------------------------------------------------------------
    def _contact_line(self, contact: Contact) -> Line:
        reach: list[Span] = [strong(contact.phone)] if contact.phone else []
        if contact.url:
            reach.append(link("online", contact.url))
        hours = f" ({contact.hours})" if contact.hours else ""
        return (text(f"• {contact.name}: "), *reach, text(f"{hours}. {contact.use}"))

    @composes("urgent")
    def _urgent(self, match: Match) -> Reply:
        urgent = [c for c in self.contacts if c.urgent]
        others = [c for c in self.contacts if not c.urgent]
        blocks = [
            para((strong(DANGER_LINE),)),
            para(
                "Otherwise, contact children's social care for the child's area now:",
                *(self._contact_line(c) for c in urgent if c.phone != "999"),
            ),
            para("Also:", *(self._contact_line(c) for c in others)),
        ]
        procedures = self.resources.get("llr-procedures")
        if procedures:
            blocks.append(para((text("Follow the "), link(procedures.title, procedures.url), text("."))))
        return self._reply(match, blocks, [c.id for c in self.contacts], [Button("Menu", "help")], ReplyKind.URGENT)

    @composes("contacts")
    def _contacts(self, match: Match) -> Reply:
        areas = set(self._ids(match, "partnership"))
        named = set(self._ids(match, "contact"))
        chosen = [c for c in self.contacts if c.id in named or areas & set(c.partnerships)] or self.contacts
        blocks = [para(DANGER_LINE), para(*(self._contact_line(c) for c in chosen))]
        return self._reply(
            match, blocks, [c.id for c in chosen], [Button("All contacts", "contacts"), Button("Menu", "help")]
        )

    # ----- about and conversation -----------------------------------------------------------------
    @composes("about")
    def _about(self, match: Match) -> Reply:
        ids = self._ids(match, "partnership")
        partnerships = [self.partnerships[i] for i in ids if i in self.partnerships]
        if not partnerships and self.home:
            partnerships = [self.home]
        blocks = [self._about_block(p) for p in partnerships]
        if not ids:
            blocks.append(para(self.what_i_do, "I only show what the partnership has published."))
        return self._reply(match, blocks, [p.id for p in partnerships], MENU_BUTTONS)

    def _about_block(self, partnership: Partnership) -> Block:
        """Who they are, their website, and their own pages (the about page answers more than we hold)."""
        lines: list[Line | str] = [
            (strong(f"{partnership.name} ({partnership.short_name})"),),
            partnership.about,
            (link(partnership.website, partnership.website),),
        ]
        speakers = dict.fromkeys(
            f"{s.by}, {s.role}"
            for review in self._by_partnership.get(partnership.id, [])
            for s in self._statements_for(review.id)
        )
        if speakers:  # 'who chairs the board': the knowledge holds who spoke for it, and in what role
            lines.append("Its statements on reviews were made by " + "; ".join(speakers) + ".")
        pages = self._pages_of.get(partnership.name, [])
        if pages:
            lines += ["Their pages:", *((text("• "), link(r.title, r.url)) for r in pages)]
        return para(*lines)

    @composes("help")
    def _help(self, match: Match) -> Reply:
        blocks = [para(self.what_i_do), para(TRY_ASKING), para(DANGER_LINE)]
        return self._reply(match, blocks, [], MENU_BUTTONS, ReplyKind.CHAT)

    @composes("greeting")
    def _greeting(self, match: Match) -> Reply:
        blocks = [para("Hello. " + self.what_i_do), para(TRY_ASKING)]
        return self._reply(match, blocks, [], MENU_BUTTONS, ReplyKind.CHAT)

    @composes("thanks")
    def _thanks(self, match: Match) -> Reply:
        return self._reply(
            match, [para("You're welcome. Ask me anything else about local reviews.")], [], MENU_BUTTONS, ReplyKind.CHAT
        )

    def _label(self, ref: Ref) -> str:
        names = {
            "review": lambda i: self._review_label(self.reviews[i]),
            "theme": lambda i: self.themes[i].name,
            "term": lambda i: _abbreviation(self.terms[i]),
            "resource": lambda i: self.resources[i].title,
            "partnership": lambda i: self.partnerships[i].short_name,
            "topic": lambda i: self.topics[i].title,
        }
        return names[ref.kind](ref.id) if ref.kind in names else ref.id

    def _clarify(self, match: Match) -> Reply:
        labels = [self._label(r) for r in match.choices]
        blocks = [
            para("Did you mean " + ", ".join(labels[:-1]) + (" or " if len(labels) > 1 else "") + labels[-1] + "?")
        ]
        buttons = [
            Button(label, action)
            for label, r in zip(labels, match.choices, strict=True)
            if (action := action_for(r)) is not None
        ]
        return Reply(
            kind=ReplyKind.CLARIFY,
            blocks=tuple(blocks),
            intent=None,
            entries=(),
            confidence=match.confidence,
            buttons=(*buttons, Button("Menu", "help")),
            suggestions=tuple(labels),
        )

    def _repository_pointer(self) -> Block:
        repository = self.resources.get("nspcc-repository")
        if repository is None:
            return para("For reviews from other areas, ask the partnership that published them.")
        return para(
            (text("For reviews from other areas, search the "), link(repository.title, repository.url), text("."))
        )

    def _fallback(self, match: Match) -> Reply:
        suggestions: tuple[str, ...] = ()
        if match.unknown_review:
            local = self._recent_reviews()
            suggestions = tuple(r.name for r in local[:3])
            blocks = [
                para(
                    "I don't hold that review. The local reviews I know are: " + ", ".join(r.name for r in local) + "."
                ),
                self._repository_pointer(),
            ]
            buttons = [Button(r.name, f"review:{r.id}") for r in local[:3]]
        else:
            blocks = [para("Sorry, I can't answer that. " + self.what_i_do), para(TRY_ASKING), para(DANGER_LINE)]
            buttons = list(MENU_BUTTONS)
        return Reply(
            kind=ReplyKind.FALLBACK,
            blocks=tuple(blocks),
            intent=None,
            entries=(),
            confidence=match.confidence,
            buttons=tuple(buttons),
            suggestions=suggestions,
        )
