"""Ordinary worries, read on their own: a parent's worry about an everyday matter of growing up is blanked,
unless the message tells any other concern or the child is one in the writer's care at work. Words are written
as the normaliser writes them ('tantrum', 'exam')."""

from __future__ import annotations

from nlu_helpers import the_matcher, words

from bot.nlu.everyday import own_child, without_ordinary_worries


def blanked(text: str, starts: tuple[int, ...] = ()) -> tuple[str, ...]:
    return without_ordinary_worries(words(text), the_matcher().lexicon, starts)


def test_a_parent_s_worry_about_an_everyday_matter_is_blanked() -> None:
    assert blanked("my son is 3 should i be worried about autism") == (
        *words("my son is 3 should i be"),
        "",
        "about",
        "autism",
    )
    assert "concerned" not in blanked("concerned about my toddler tantrum are they normal")


def test_a_worry_beside_any_other_concern_stays() -> None:
    assert "worried" in blanked("worried about my son sleep since the man next door moved in")
    assert "worried" in blanked("worried about my daughter speech and she has a bruise")


def test_a_worry_about_a_child_in_the_writer_s_care_at_work_stays() -> None:
    """'concerned about her speech, she stopped talking since she came back from her dad's' may tell of harm."""
    assert "concerned" in blanked("concerned about her speech she stopped talking since her dad")
    assert "worried" in blanked("worried about my pupil speech")


def test_the_writer_s_own_child_is_told_with_my_or_our() -> None:
    lexicon = the_matcher().lexicon
    assert own_child(words("my 3 year old is not talking"), lexicon)
    assert own_child(words("my own daughter is 3"), lexicon)
    assert not own_child(words("a girl in my class"), lexicon)
    assert not own_child(words("my pupil is shy"), lexicon)


def test_a_worry_about_nothing_everyday_leaves_the_words_as_they_are() -> None:
    tokens = words("i am worried about my son")
    assert without_ordinary_worries(tokens, the_matcher().lexicon) is tokens


def test_only_the_worry_in_the_sentence_naming_the_matter_is_blanked() -> None:
    text = "i am worried about my son . his exam are next week"
    assert "worried" in blanked(text, (0, 7))
    assert "worried" not in blanked(text, (0,))


def test_the_words_of_an_everyday_matter_are_no_concern() -> None:
    """'scared of the dark': 'scared' is the matter's own word; beside a bruise it stays a concern."""
    assert "scared" not in blanked("my daughter is scared of the dark what can i do")
    assert "scared" in blanked("my daughter is scared of the dark and has a bruise")
