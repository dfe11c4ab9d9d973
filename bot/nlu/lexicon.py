"""The domain's word lists, as the understanding components read them: sets, built once per view."""

from __future__ import annotations

from dataclasses import dataclass

from bot.nlu.normalise import Tokens
from bot.nlu.other_areas import OTHER_AREAS


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Words that carry the domain: what a concern sounds like, what names a review, which areas are not ours."""

    partnership_words: frozenset[str]
    review_describers: frozenset[str]
    name_words: frozenset[str]
    recency_words: frozenset[str]
    plural_review_words: frozenset[str]
    area_context: frozenset[str]
    now_words: frozenset[str]
    origin_words: frozenset[str]
    learning_words: frozenset[str]
    one_child: frozenset[str]
    law_questions: tuple[str, ...]
    child_nouns: frozenset[str]
    child_words: frozenset[str]
    concern_words: frozenset[str]
    child_compounds: frozenset[str]
    unit_words: frozenset[str]
    generic_review_words: frozenset[str]
    one_document_words: frozenset[str]
    case_words: frozenset[str]
    process_words: frozenset[str]
    say_words: frozenset[str]
    content_words: frozenset[str]
    any_review: frozenset[Tokens]
    named_roles: frozenset[str]
    address_words: frozenset[str]
    other_areas: tuple[str, ...]


_CHILD_NOUNS = frozenset(
    {
        "child",
        "kid",
        "pupil",
        "student",
        "baby",
        "boy",
        "girl",
        "toddler",
        "infant",
        "teen",
        "teenager",
        "son",
        "daughter",
        "newborn",
        "lad",
        "sibling",
    }
)
_GENERIC_REVIEW_WORDS = frozenset(
    {"review", "briefing", "report", "case", "lcspr", "lscpr", "cspr", "scr", "publication", "document", "serious"}
)
_CASE_WORDS = _GENERIC_REVIEW_WORDS | {"panel", "inquiry", "finding"}  # 'Star Hobson national panel findings'

DEFAULT_LEXICON = Lexicon(
    partnership_words=frozenset(  # words of a question about the partnerships themselves
        {
            "partnership",
            "board",
            "partner",
            "covered",
            "cover",
            "covers",
            "area",
            "city",
            "county",
            "lscb",
            "lscpb",
            "lrscp",
            "safeguarding",
            "website",
            "who",
            "same",
            "different",
        }
    ),
    review_describers=frozenset({"national", "local", "serious", "case", "practice", "child", "safeguarding"}),
    name_words=frozenset({"child", "baby", "children", "case", "family"}),
    recency_words=frozenset({"latest", "newest", "recent", "recently", "new", "last", "lately", "current"}),
    plural_review_words=frozenset(
        {
            "reviews",
            "lcsprs",
            "lscprs",
            "csprs",
            "scrs",
            "briefings",
            "reports",
            "publications",
            "documents",
            "cases",
            "ones",
        }
    ),
    area_context=frozenset(
        {
            "review",
            "briefing",
            "report",
            "lcspr",
            "lscpr",
            "cspr",
            "scr",
            "partnership",
            "board",
            "lscb",
            "lscp",
            "safeguarding",
            "council",
            "panel",
            "inquiry",
            "recommendation",
            "finding",
            "learning",
            "duty",
            "number",
            "referral",
            "form",
            "mash",
            "procedure",
            "threshold",
        }
    ),
    now_words=frozenset({"tonight", "now", "today", "currently"}),
    origin_words=frozenset(
        {"here", "moved", "relocated", "moving", "relocating", "transferring", "transferred", "originally"}
    ),  # 'new to the area from Wales': where from
    learning_words=frozenset(
        {
            "learning",
            "lesson",
            "review",
            "briefing",
            "training",
            "assembly",
            "cpd",
            "theme",
            "research",
            "slide",
            "scr",
            "cspr",
            "lcspr",
            "lscpr",
            "teaching",
            "procedure",
            "policy",
            "guidance",
            "section",
            "protocol",
            "published",
            "publish",
        }
    ),
    one_child=frozenset(
        {
            "she",
            "he",
            "her",
            "him",
            "his",
            "hers",
            "herself",
            "himself",
            "disclosed",
            "disclosing",
        }  # not 'disclosures': 'what do reviews say about disclosures' asks about many
    ),
    law_questions=(
        "is it legal",
        "is it illegal",
        "is it against the law",
        "what is the law",
        "what does the law say",
        "legally",
        "legal age",
        "what age can",
        "at what age",
        "how old doe",
        "how old do",
        "how old should",
    ),
    child_nouns=_CHILD_NOUNS,
    child_words=_CHILD_NOUNS
    | {  # words that put a child in the story, pointed at or not
        "children",
        "grandson",
        "granddaughter",
        "grandchild",
        "niece",
        "nephew",
        "stepson",
        "stepdaughter",
        "yp",
        "year",
        "month",
        "week",  # 'year old', as normalisation spells '14yo' and '(7)'-style ages
    },
    concern_words=frozenset(
        """abuse abused abusing assault assaulted attack attacked beat beaten beating begging belt bite bitten
        bleeding blood bruise bruised bruising burn burnt burned cigarette cig cold court cut cutting danger dangerous
        dirty drink drinking drunk drug drugged dealer dealing weed cannabis vodka alcohol needle overdose high
        slurring stoned fracture fractured grab grabbed groom groomed grooming hit hitting hotel hurt hurting injury
        injured kick kicked kill knife ligature lock locked locks breathing breathe unresponsive man men male older
        adult stranger boyfriend missing naked neck nappy
        neglect neglected nobody alone owe owes punch punched rape raped scared scream screaming shout shouting shut
        slap slapped smack smacked starving hungry strangle strangled suicide suicidal terrified threat threaten
        threatened threatening touch touched touching unconscious unsafe violent violence weapon worried worry
        frightened afraid crying cry cries wet filthy smelly unwashed arrested police released secret secrets
        sweets gifts money phone snapchat photo picture video videos car van taxi night late 1am 2am 3am""".split()
    ),
    child_compounds=frozenset(
        {"protection", "safeguarding", "abuse", "sexual", "death", "care", "benefit", "exploitation", "practice", "one"}
    ),
    unit_words=frozenset({"unit", "team", "investigation", "department", "service", "hub"}),
    generic_review_words=_GENERIC_REVIEW_WORDS,
    one_document_words=frozenset(  # not 'case': 'the case management system' is no document
        {
            "review",
            "briefing",
            "report",
            "lcspr",
            "lscpr",
            "cspr",
            "scr",
            "publication",
            "document",
            "foreword",
            "statement",
        }
    ),
    case_words=_CASE_WORDS,
    process_words=_CASE_WORDS | {"process", "procedure", "criteria", "notify", "notification", "decide", "decides"},
    say_words=frozenset({"say", "said", "saying", "comment", "commented", "think", "thought"}),
    content_words=frozenset(  # what one document holds: 'what's the learning from the LCSPR' asks about one review
        {"learning", "lesson", "point", "finding", "about", "recommendation", "summary", "happened", "outcome", "gist"}
    ),
    any_review=frozenset({("a", "case"), ("a", "review"), ("any", "review")}),
    named_roles=frozenset({"gp", "dsl", "hv", "sw", "lead", "nurse", "doctor", "professional", "person"}),
    address_words=frozenset({"st", "street", "road", "rd", "lane", "avenue", "ave", "way", "close", "station"}),
    other_areas=OTHER_AREAS,
)
