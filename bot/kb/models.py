"""The knowledge base's declared schema: frozen pydantic models that are both validator and domain model.

One definition serves three jobs: validating the YAML (with `extra="forbid"` so a misspelt key is an
error), giving the engine immutable typed objects, and exporting the JSON Schema editors use.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Url = Annotated[
    str,
    StringConstraints(pattern=r"^https?://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:[0-9]+)?(/[^\s<>\"]*)?$"),
    WithJsonSchema({"type": "string", "format": "uri", "pattern": "^https?://"}),
]
"""An absolute http(s) URL, kept exactly as written (no normalisation, so links stay as sourced)."""


class Entry(BaseModel):
    """Fields every knowledge entry carries: where its facts come from and when they were last checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: list[Url] = Field(min_length=1, description="URLs the facts of this entry come from.")
    checked: dt.date = Field(description="The date a person last checked this entry against its sources.")


class ReplyKind(StrEnum):
    ANSWER = "answer"
    CLARIFY = "clarify"
    FALLBACK = "fallback"
    URGENT = "urgent"
    CHAT = "chat"


class Partnership(Entry):
    """A safeguarding children partnership that publishes reviews."""

    id: Slug
    name: Text
    short_name: Text = Field(description="The abbreviation practitioners use, e.g. LSCPB.")
    aliases: list[Text] = []
    area: Text
    website: Url
    about: Text = Field(description="A plain summary of who they are.")
    home: bool = Field(False, description="True for the partnership whose bot this is; its reviews win ties.")
    places: list[Text] = Field(
        [],
        description="Towns and districts of its area, to recognise which partnership a question means ('I work "
        "in Melton: which partnership covers me?'). Recognition only, never shown in a reply.",
    )


class DocumentType(StrEnum):
    REPORT = "report"
    BRIEFING = "briefing"
    LEARNING_BRIEFING = "learning_briefing"
    IMPROVEMENTS_MADE_BRIEFING = "improvements_made_briefing"
    STATEMENT = "statement"


class _DocumentBase(Entry):
    id: Slug
    type: DocumentType
    title: Text


class PublishedDocument(_DocumentBase):
    """Public: may be named, summarised and linked."""

    status: Literal["published"]
    published_on: dt.date | None = Field(
        description="Publication date; null only where no source states it (never guess one)."
    )
    url: Url
    summary: Text


class EmbargoedDocument(_DocumentBase):
    """Does not exist for any output until `publish_on`; from then on it is a published document."""

    status: Literal["embargoed"]
    publish_on: dt.datetime = Field(
        description="When it becomes public. Without an offset it is Europe/London local time."
    )
    url: Url
    summary: Text


class WithheldDocument(_DocumentBase):
    """Exists and will not be published: the bot may say so and why, never link or summarise it."""

    status: Literal["withheld"]
    reason: Text = Field(description="The public reason it is not published.")
    instead: Slug | None = Field(None, description="Id of the published document to read instead.")


class WithdrawnDocument(_DocumentBase):
    """Was public and is no longer available: never linked."""

    status: Literal["withdrawn"]
    reason: Text | None = None


Document = Annotated[
    PublishedDocument | EmbargoedDocument | WithheldDocument | WithdrawnDocument,
    Field(discriminator="status"),
]


class Review(Entry):
    """One case, e.g. "Child E", with everything that was published about it."""

    id: Slug
    name: Text = Field(description='How the partnership refers to the case, e.g. "Child E".')
    aliases: list[Text] = Field([], description="Other ways people refer to it (not typos: the matcher fixes those).")
    partnership: Slug
    review_type: Slug = Field(description="Id of the glossary term for the kind of review, e.g. lcspr or scr.")
    themes: list[Slug] = Field([], description="Theme ids, only where a source states them.")
    summary: Text = Field(description="What the review is, in plain words.")
    documents: list[Document] = Field(min_length=1)
    synthetic: bool = Field(False, description="True for generated benchmark data; never in the real knowledge.")


class Statement(Entry):
    """What someone said on behalf of a partnership about a review."""

    id: Slug
    review: Slug
    by: Text
    role: Text = Field(description="Their role when they said it, worded as the source allows.")
    said_on: dt.date | None = None
    where: Text | None = Field(None, description="Where it appears, e.g. the foreword of the briefing.")
    summary: Text
    quote: list[Text] = Field([], description="Verbatim public words, paragraph by paragraph.")
    url: Url
    publish_on: dt.datetime | None = Field(None, description="Embargo: hidden before this moment.")


class ResourceKind(StrEnum):
    REPOSITORY = "repository"
    THEMATIC_BRIEFING = "thematic_briefing"
    SECTOR_BRIEFING = "sector_briefing"
    GUIDANCE = "guidance"
    FRAMEWORK = "framework"
    PROCEDURES = "procedures"
    ARCHIVE = "archive"
    WEBSITE = "website"


class Resource(Entry):
    """External or local learning material with a link."""

    id: Slug
    title: Text
    kind: ResourceKind
    aliases: list[Text] = []
    themes: list[Slug] = []
    publisher: Text
    published_on: dt.date | None = None
    url: Url
    summary: Text
    informed_by: list[Slug] = Field(
        [], description="Ids of resources it follows (a local framework, the national guidance): shown beside it."
    )


class Theme(Entry):
    """A safeguarding theme practitioners ask about (neglect, CSE…)."""

    id: Slug
    name: Text
    aliases: list[Text] = Field([], description="Synonyms and abbreviations, e.g. CSE.")
    summary: Text
    sector: bool = Field(False, description="True for sector learning (education, police…), not a theme of harm.")


class Contact(Entry):
    """A route to help or to refer: a phone number or a web page."""

    id: Slug
    name: Text
    aliases: list[Text] = []
    phone: Annotated[str, StringConstraints(pattern=r"^[0-9 ]{3,20}$")] | None = None
    url: Url | None = None
    area: Text
    hours: Text | None = Field(None, description="Opening hours, only where a source states them.")
    use: Text = Field(description="When to use it, in one line.")
    urgent: bool = Field(description="True for routes to use when a child may be at risk now.")
    partnerships: list[Slug] = Field(
        [], description="Ids of the partnerships whose area it serves (for 'county duty')."
    )
    order: int = Field(description="Lower comes first in lists; 999 is 1.")


class Term(Entry):
    """A glossary entry."""

    id: Slug
    term: Text
    aliases: list[Text] = []
    meaning: Text
    replaced_by: list[Slug] = Field([], description="Ids of the terms that replaced it (SCR: CSPR): shown beside it.")


class Topic(Entry):
    """A short explainer (how reviews work, why some are only briefings)."""

    id: Slug
    title: Text
    aliases: list[Text] = Field([], description="Questions or phrases that ask for it.")
    points: list[Text] = Field(min_length=1)
    related: list[Slug] = Field([], description="Ids of resources to link.")


class Intent(BaseModel):
    """What a question asks for, recognised by fuzzy rules and example phrases (see bot/knowledge/intents.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, StringConstraints(pattern=r"^[a-z_]+$")]
    kind: ReplyKind = ReplyKind.ANSWER
    phrases: list[Text] = Field([], description="Whole questions that mean this intent, matched fuzzily.")
    rules: list[Text] = Field(
        [],
        description='Word groups that must all appear, e.g. "worried|concerned + child|pupil". '
        "Each group lists alternatives separated by |; a group may be several words. A leading '~' marks a weak "
        "cue that only supports a named entry.",
    )


class Synonym(BaseModel):
    """Forms that mean the same; each variant is rewritten to `canonical` before matching."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    canonical: Text
    variants: list[Text] = Field(min_length=1)


class LexiconList(StrEnum):
    """The word lists the understanding reads (bot/knowledge/lexicon.yaml); each is required."""

    CONCERN_WORDS = "concern-words"
    CHILD_NOUNS = "child-nouns"
    CHILD_WORDS = "child-words"
    ONE_CHILD = "one-child"
    CHILD_COMPOUNDS = "child-compounds"
    UNIT_WORDS = "unit-words"
    NOW_WORDS = "now-words"
    FRAMES = "frames"
    RECENT_PHRASES = "recent-phrases"
    HANDLED_PHRASES = "handled-phrases"
    LIFE_THREATS = "life-threats"
    LAST_HOURS = "last-hours"
    LAW_QUESTIONS = "law-questions"
    LEARNING_WORDS = "learning-words"
    PROCESS_WORDS = "process-words"
    GENERIC_REVIEW_WORDS = "generic-review-words"
    CASE_WORDS = "case-words"
    ONE_DOCUMENT_WORDS = "one-document-words"
    PLURAL_REVIEW_WORDS = "plural-review-words"
    RECENCY_WORDS = "recency-words"
    SAY_WORDS = "say-words"
    CONTENT_WORDS = "content-words"
    ANY_REVIEW = "any-review"
    REVIEW_DESCRIBERS = "review-describers"
    NAME_WORDS = "name-words"
    NAMED_ROLES = "named-roles"
    ADDRESS_WORDS = "address-words"
    PARTNERSHIP_WORDS = "partnership-words"
    AREA_CONTEXT = "area-context"
    ORIGIN_WORDS = "origin-words"
    OTHER_AREAS = "other-areas"
    ABROAD = "abroad"
    NATIONS = "nations"
    HOME_PLACES = "home-places"
    REFUSAL_KEEPERS = "refusal-keepers"
    EVERYDAY_MATTERS = "everyday-matters"


Word = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?: [a-z0-9]+)*$")]


class WordList(BaseModel):
    """Words (or short phrases) that carry the domain for one decision: what a concern sounds like, what names
    a review, which areas are not ours. Written as the normaliser writes them: lower case, no punctuation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: LexiconList
    about: Text = Field(description="What the words are for, and what adding one changes.")
    includes: list[LexiconList] = Field([], description="Other lists whose words belong to this one too.")
    words: list[Word] = Field(min_length=1, description="Lower-case words or phrases, one space between words.")


class KnowledgeFile(BaseModel):
    """One YAML file: any subset of the sections; the loader merges files."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    partnerships: list[Partnership] = []
    reviews: list[Review] = []
    statements: list[Statement] = []
    resources: list[Resource] = []
    themes: list[Theme] = []
    contacts: list[Contact] = []
    terms: list[Term] = []
    topics: list[Topic] = []
    intents: list[Intent] = []
    synonyms: list[Synonym] = []
    lexicon: list[WordList] = []


class KnowledgeBase(BaseModel):
    """Everything the bot knows, merged from all files, references checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    partnerships: tuple[Partnership, ...] = ()
    reviews: tuple[Review, ...] = ()
    statements: tuple[Statement, ...] = ()
    resources: tuple[Resource, ...] = ()
    themes: tuple[Theme, ...] = ()
    contacts: tuple[Contact, ...] = ()
    terms: tuple[Term, ...] = ()
    topics: tuple[Topic, ...] = ()
    intents: tuple[Intent, ...] = ()
    synonyms: tuple[Synonym, ...] = ()
    lexicon: tuple[WordList, ...] = ()
