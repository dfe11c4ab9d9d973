"""The domain's word lists (bot/knowledge/lexicon.yaml), as the understanding components read them: sets,
built once per view. Only grammar stays in code (bot/nlu/english.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.kb.models import KnowledgeBase
from bot.nlu.normalise import Tokens

PHRASE_LISTS = frozenset(
    {
        "law_questions",
        "any_review",
        "other_areas",
        "abroad",
        "nations",
        "frames",
        "recent_phrases",
        "handled_phrases",
        "life_threats",
        "last_hours",
        "refusal_keepers",
        "everyday_matters",
    }
)
"""Lists read as phrases or tuples, not as sets of words."""


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
    frames: tuple[str, ...]
    recent_phrases: tuple[str, ...]
    handled_phrases: tuple[str, ...]
    life_threats: tuple[str, ...]
    last_hours: tuple[str, ...]
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
    abroad: tuple[str, ...]
    nations: tuple[str, ...]
    home_places: frozenset[str]
    refusal_keepers: tuple[str, ...]
    everyday_matters: tuple[Tokens, ...]

    @classmethod
    def of(cls, view: KnowledgeBase, norm: Callable[[str], Tokens] | None = None) -> Lexicon:
        """The view's word lists as sets, each with the lists it includes (a list missing is empty: `check`
        refuses such a knowledge base). Phrases are read as `norm` writes a question ('years ago' is 'year
        ago'), so an editor may write them as people type them."""
        lists = {word_list.id.value: word_list for word_list in view.lexicon}

        def words(name: str, seen: frozenset[str] = frozenset()) -> list[str]:
            found = lists.get(name)
            if found is None or name in seen:
                return []
            included = [w for other in found.includes for w in words(other.value, seen | {name})]
            return [*included, *found.words]

        def field_words(field: str) -> list[str]:
            return words(field.replace("_", "-"))

        def phrases(field: str) -> tuple[str, ...]:
            """Each phrase padded with a space either side, as `norm` writes it (as written without one)."""
            found = field_words(field)
            written = [" ".join(norm(phrase)) for phrase in found] if norm else found
            return tuple(dict.fromkeys(f" {phrase} " for phrase in written if phrase))

        sets = {field: frozenset(field_words(field)) for field in cls.__dataclass_fields__ if field not in PHRASE_LISTS}
        sets["home_places"] |= {  # every word of each partnership's places: 'Melton Mowbray', 'Castle Donington'
            word for p in view.partnerships for place in p.places for word in (norm or str.split)(place.lower())
        }
        return cls(
            **sets,
            law_questions=tuple(field_words("law_questions")),
            frames=phrases("frames"),
            recent_phrases=phrases("recent_phrases"),
            handled_phrases=phrases("handled_phrases"),
            life_threats=phrases("life_threats"),
            last_hours=phrases("last_hours"),
            refusal_keepers=phrases("refusal_keepers"),
            everyday_matters=tuple(tuple(phrase.split()) for phrase in phrases("everyday_matters")),
            any_review=frozenset(tuple(phrase.split()) for phrase in field_words("any_review")),
            other_areas=tuple(field_words("other_areas")),
            abroad=tuple(field_words("abroad")),
            nations=tuple(field_words("nations")),
        )
