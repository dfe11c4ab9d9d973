"""Entities: names found exactly, in any word order, by date; namesakes resolved; half-naming offers choices."""

from __future__ import annotations

from pathlib import Path

from kb_builders import add_yaml, copy_knowledge
from nlu_helpers import NOW, named, the_matcher, words

from bot.kb.loader import load_knowledge
from bot.nlu.entities import EntityIndex, period_of
from bot.nlu.types import Hit, Period, Ref
from bot.service.engine import Engine


def refs(hits: list[Hit]) -> set[Ref]:
    return {h.ref for h in hits}


def entities() -> EntityIndex:
    return the_matcher().entities


def test_a_name_is_found_with_its_positions() -> None:
    _, hits = named("where is the child e report")
    assert Hit(Ref("review", "child-e"), frozenset({3, 4}), corrected=False) in hits


def test_a_long_name_is_found_in_any_word_order() -> None:
    _, hits = named("framework for llr reviews")
    assert Ref("resource", "llr-framework") in refs(hits)


def test_a_typo_found_name_says_it_was_corrected() -> None:
    _, hits = named("chlid e")
    assert [h.corrected for h in hits if h.ref == Ref("review", "child-e")] == [True]


def test_a_publication_date_names_the_home_review_published_that_day() -> None:
    _, hits = named("what came out on 17/07/24")
    assert Ref("review", "child-c-d") in refs(hits)


def test_a_letter_after_a_name_word_is_a_name_but_a_is_an_article() -> None:
    index = entities()
    assert index.letter_name_at(words("child f review"), 0)
    assert not index.letter_name_at(words("child a lot"), 0)
    assert index.letter_name_at(words("child a and b"), 0)


def test_half_naming_words_offer_the_home_reviews_they_point_at() -> None:
    assert entities().half_named(words("the baby one")) == (Ref("review", "baby-scr"),)
    assert entities().half_named(words("football")) == ()


def test_the_only_review_of_a_type_is_named_by_its_type() -> None:
    _, hits = named("the scr")
    assert entities().review_by_type(hits) == [Hit(Ref("review", "baby-scr"), frozenset({1}), corrected=True)]


def test_a_period_is_a_month_and_or_year_but_not_since() -> None:
    assert period_of(words("july 2024")) == Period(2024, 7)
    assert period_of(words("in 2023")) == Period(2023, None)
    assert period_of(words("since 2024")) is None


def test_namesakes_prefer_the_home_partnership_and_offer_the_others(tmp_path: Path) -> None:
    kb = copy_knowledge(tmp_path)
    add_yaml(
        kb,
        "namesake.yaml",
        """
        reviews:
          - id: county-child-e
            name: Child E
            partnership: lrscp
            review_type: lcspr
            summary: Another partnership's Child E.
            documents:
              - id: county-child-e-report
                type: report
                title: Child E - county report
                status: published
                published_on: 2023-01-10
                url: https://example.org/county-child-e
                summary: The county's report about its Child E.
                sources: [https://example.org/county-child-e]
                checked: 2026-11-25
            sources: [https://example.org/county-child-e]
            checked: 2026-11-25
        """,
    )
    index = Engine(load_knowledge(kb), lambda: NOW).snapshot().matcher.entities
    hits = index.hits(words("child e"), frozenset())
    kept, alternatives, clash = index.resolve_same_names(hits)
    assert refs(kept) == {Ref("review", "child-e")}
    assert alternatives == (Ref("review", "county-child-e"),)
    assert clash == ()
    named_county = index.hits(words("rutland child e"), frozenset())
    kept, _, _ = index.resolve_same_names(named_county)
    assert refs(kept) == {Ref("review", "county-child-e")}  # the partnership named decides


def test_a_speaker_asked_about_as_a_person_is_the_partnership_she_spoke_for() -> None:
    tokens, hits = named("who is amanda boodhoo")
    assert refs(entities().speakers_as_partnerships(tokens, hits)) == {Ref("partnership", "lscpb")}
    tokens, hits = named("what did amanda boodhoo say")  # asked what she said: her statements
    assert refs(entities().speakers_as_partnerships(tokens, hits)) == refs(hits)
    assert all(h.ref.kind == "statement" for h in hits)


def test_a_partnership_s_town_names_that_partnership_first_named_first() -> None:
    assert entities().placed(words("our nursery is in melton mowbray")) == ("lrscp",)
    assert entities().placed(words("oakham or leicester, which board")) == ("lrscp",)
    assert entities().placed(words("which board covers leicester")) == ()


def test_a_statement_retold_from_memory_names_its_review() -> None:
    """Words of one statement's own ('all the recommendations have been acted upon'), not the domain's."""
    retold = words("someone said the chair told us all the recommendations had already been acted upon")
    assert entities().quoted(retold) == Ref("review", "baby-scr")
    assert entities().quoted(words("what did the chair say about the learning from the review")) is None
