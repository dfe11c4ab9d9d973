"""Ordinary worries, read on their own: a worry about an everyday matter of growing up is blanked, unless the
message tells any other concern. Words are written as the normaliser writes them ('tantrum', 'exam')."""

from __future__ import annotations

from nlu_helpers import the_matcher, words

from bot.nlu.everyday import without_ordinary_worries


def blanked(text: str, starts: tuple[int, ...] = ()) -> tuple[str, ...]:
    return without_ordinary_worries(words(text), the_matcher().lexicon, starts)


def test_a_worry_about_an_everyday_matter_is_blanked() -> None:
    assert blanked("should i be worried about autism") == ("should", "i", "be", "", "about", "autism")
    assert "concerned" not in blanked("concerned about my toddler tantrum are they normal")


def test_a_worry_beside_any_other_concern_stays() -> None:
    assert "worried" in blanked("worried about his sleep since the man next door moved in")
    assert "worried" in blanked("worried about her speech and she has a bruise")


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
