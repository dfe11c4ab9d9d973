"""Normalisation shared by knowledge phrases and questions: fold, words, stem, synonyms."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from kb_builders import FIXTURE_KNOWLEDGE

from bot.kb.loader import load_knowledge
from bot.nlu.normalise import Synonyms, fold, normalise, stem, words

WORD = re.compile(r"^[a-z0-9]+$")


@pytest.fixture(scope="module")
def fixture_synonyms() -> Synonyms:
    kb = load_knowledge(FIXTURE_KNOWLEDGE)
    return Synonyms((s.canonical, s.variants) for s in kb.synonyms)


# ----- fold -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("CHILD E", "child e"),
        ("Café naïve Zoë", "cafe naive zoe"),
        ("ﬁle", "file"),  # compatibility ligature
        ("ＣＨＩＬＤ Ｅ", "child e"),  # full-width letters
        ("Child E's review", "child e review"),
        ("Child E’s review", "child e review"),  # curly apostrophe
        ("don't", "dont"),
        ("C+D", "c and d"),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert " ".join(fold(raw).split()) == folded


def test_fold_reads_ampersand_as_and() -> None:
    assert fold("C&D").split() == ["c", "and", "d"]


def test_fold_considers_a_whole_telegram_message_and_no_more() -> None:
    assert len(fold("a" * 5000)) == 4096
    assert fold("a" * 4000 + "zebra").count("z") == 1
    assert fold("a" * 4096 + "zebra").count("z") == 0


# ----- words ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Child C & D", ("child", "c", "and", "d")),
        ("child c and d", ("child", "c", "and", "d")),
        ("Child C&D", ("child", "c", "and", "d")),
        ("CHILD E!!!", ("child", "e")),
        ("child-e", ("child", "e")),
        ("  spaced\tout\nwords  ", ("spaced", "out", "words")),
        ("published 31/07/2024", ("published", "31", "july", "2024")),  # dates spelled one way
        ("the one from 10/07/24", ("the", "one", "from", "10", "july", "2024")),
        ("17th Jul 2024", ("17", "july", "2024")),
        ("Sept. 3rd", ("september", "3")),
        ("32/13/2024 may 2024", ("32", "13", "2024", "may", "2024")),  # not a date; "may" stays a word
        ("child\x00e", ("child", "e")),  # control characters vanish like zero-width ones; "childe" reads "child e"
        ("childc+d whats the learning", ("child", "c", "and", "d", "whats", "the", "learning")),
        ("2yo with a fracture", ("2", "year", "old", "with", "a", "fracture")),
        ("<b>Patricia</b>", ("b", "patricia", "b")),
        ("😀🙈", ()),
        ("子供 报告", ()),
        ("", ()),
    ],
)
def test_words(raw: str, expected: tuple[str, ...]) -> None:
    assert words(raw) == expected


@pytest.mark.parametrize("variant", ["what's new", "What’s NEW", "WHAT'S new?"])
def test_whats_never_leaves_a_stray_s_or_apostrophe(variant: str) -> None:
    tokens = words(variant)
    assert tokens[0] == "what" and tokens[-1] == "new"
    assert "s" not in tokens and all(WORD.match(t) for t in tokens)
    assert words(variant) == words("what's new")


def test_whats_typed_without_apostrophe_becomes_what_is(fixture_synonyms: Synonyms) -> None:
    assert normalise("Whats NEW??", fixture_synonyms) == ("what", "is", "new")
    assert normalise("what is new", fixture_synonyms) == ("what", "is", "new")


def test_the_same_name_with_or_without_accents_and_case_is_the_same_words() -> None:
    assert words("Zoë's review") == words("zoe review") == ("zoe", "review")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_words_are_plain_lower_case_ascii_for_any_text(text: str) -> None:
    tokens = words(text)
    assert all(WORD.match(t) for t in tokens)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
@example("0:YO")  # an age behind a separator that the split turns into a space
@example("_0YO")  # or one the split uncovers
def test_words_is_idempotent(text: str) -> None:
    once = words(text)
    assert words(" ".join(once)) == once


# ----- stem -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "stemmed"),
    [
        ("reviews", "review"),
        ("briefings", "briefing"),
        ("policies", "policy"),
        ("babies", "baby"),
        ("cases", "case"),
        ("process", "process"),
        ("status", "status"),
        ("analysis", "analysis"),
        ("dangerous", "dangerous"),
        ("children", "children"),
        ("gas", "gas"),
        ("is", "is"),
        ("review", "review"),
    ],
)
def test_stem_folds_simple_plurals_only(token: str, stemmed: str) -> None:
    assert stem(token) == stemmed


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=20))
def test_stem_is_idempotent(token: str) -> None:
    assert stem(stem(token)) == stem(token)


# ----- synonyms -------------------------------------------------------------------------------------------


def test_longest_synonym_wins_whatever_the_order_given() -> None:
    pairs = [("working together", ["wt"]), ("working together 2023", ["wt 23", "wt2023"])]
    for table in (Synonyms(pairs), Synonyms(list(reversed(pairs)))):
        assert table.rewrite(words("read wt 23 now")) == ("read", "working", "together", "2023", "now")
        assert table.rewrite(words("read wt now")) == ("read", "working", "together", "now")
        assert table.rewrite(words("WT2023")) == ("working", "together", "2023")


def test_a_word_standing_for_several_is_spelt_out_first_so_a_variant_may_begin_inside_it() -> None:
    table = Synonyms([("is not", ["isnt"]), ("nonemergency", ["not an emergency", "isnt urgent"])])
    assert table.rewrite(words("it isnt an emergency")) == ("it", "is", "nonemergency")
    assert table.rewrite(words("this isnt urgent")) == ("this", "nonemergency")  # a variant written with it
    assert table.rewrite(words("it isnt")) == ("it", "is", "not")


def test_synonyms_are_matched_on_whole_words_and_not_rewritten_twice() -> None:
    table = Synonyms([("child", ["kid"]), ("young child", ["child"])])
    assert table.rewrite(("kidney",)) == ("kidney",)
    assert table.rewrite(("kid",)) == ("child",)  # not then rewritten again to "young child"
    assert table.rewrite(("child",)) == ("young", "child")


def test_synonym_variants_are_normalised_like_questions() -> None:
    table = Synonyms([("safeguarding", ["Safe-Guarding"]), ("cooperate", ["co operate"])])
    assert table.rewrite(words("SAFE GUARDING children")) == ("safeguarding", "children")
    assert table.rewrite(words("co-operate")) == ("cooperate",)


def test_a_variant_equal_to_its_canonical_form_is_ignored() -> None:
    table = Synonyms([("review", ["Review", "reviews"])])
    assert table.rewrite(("review",)) == ("review",)
    assert table.rewrite(("reviews",)) == ("review",)


def test_empty_synonyms_change_nothing() -> None:
    assert Synonyms([]).rewrite(("a", "b")) == ("a", "b")
    assert Synonyms([]).rewrite(()) == ()


# ----- normalise with the fixture synonyms ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Child C & D", "child c and d"),
        ("children's reviews", "childrens review"),
        ("kids", "children"),
        ("organization behavior", "organisation behaviour"),
        ("summarize the program", "summarise the programme"),
        ("Safegaurding policies", "safeguarding policy"),
        ("co-operate", "cooperate"),
        ("non-emergency", "nonemergency"),
        ("WT 23", "working together 2023"),
        ("don't", "do not"),
        ("Café", "cafe"),
    ],
)
def test_normalise_makes_equivalent_phrasings_equal(fixture_synonyms: Synonyms, first: str, second: str) -> None:
    assert normalise(first, fixture_synonyms) == normalise(second, fixture_synonyms)


def test_normalise_child_c_and_d(fixture_synonyms: Synonyms) -> None:
    assert normalise("Child C & D", fixture_synonyms) == ("child", "c", "and", "d")


def test_normalise_folds_plurals_after_synonyms(fixture_synonyms: Synonyms) -> None:
    assert normalise("latest REVIEWS and briefings", fixture_synonyms) == ("latest", "review", "and", "briefing")


def test_a_grown_up_s_age_is_no_child_s() -> None:
    """'year old' speaks of a child in every rule: a 45 year old is an adult, a 15 yr old still a child."""
    assert words("a 45 year old woman, her 15 yr old") == ("a", "45", "adult", "woman", "her", "15", "year", "old")
