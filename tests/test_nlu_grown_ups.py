"""Who in a story is a grown-up, read on its own: kin told with an adult's age, the old and their children, a
worry about a colleague, a child said not to be."""

from __future__ import annotations

from nlu_helpers import words

from bot.nlu.grown_ups import grown_people, no_child_named, old_age, worry_about_grown_up


def test_kin_told_with_a_grown_up_s_age_are_grown_ups() -> None:
    """'My brother is 34', 'my dad's 78' (written 'dad 78'): adults; 'my sister is 15' is a child."""
    assert grown_people(words("my brother is 34 and lives alone")) == {"brother"}
    assert grown_people(words("my dad 78 and has parkinsons")) == {"dad"}
    assert not grown_people(words("my sister is 15 and lives with us"))


def test_kin_at_work_are_grown_ups_and_so_are_an_old_person_s_sons() -> None:
    assert grown_people(words("my daughter work for the council")) == {"daughter"}
    assert grown_people(words("elderly lady, her son takes her pension")) == {"son"}
    assert not grown_people(words("young mum, her son takes her phone"))


def test_old_age_is_told_in_words_or_years() -> None:
    assert old_age(words("an older person in a nursing home"))
    assert old_age(words("a 80 adult on my round"))
    assert not old_age(words("a 40 adult on my round"))


def test_a_worry_about_a_colleague_is_about_a_grown_up() -> None:
    tokens = words("i am worried about a colleague who smells of drink")
    assert worry_about_grown_up(tokens, tokens.index("worried"))
    tokens = words("i am worried about a child who smells of drink")
    assert not worry_about_grown_up(tokens, tokens.index("worried"))


def test_a_service_and_a_child_said_not_to_be_name_no_child() -> None:
    assert no_child_named(words("children duty will not take it"))[0] == ""
    assert no_child_named(words("she is 19 now no kids"))[-1] == ""
    assert no_child_named(words("a kid in my class"))[1] == "kid"
