"""Spelling: typos go to the knowledge base's own words, real English words and letters are left alone."""

from __future__ import annotations

from nlu_helpers import the_matcher, words

from bot.nlu.english import english_words
from bot.nlu.lexicon import Lexicon
from bot.nlu.spelling import Spelling


def spelling() -> Spelling:
    return the_matcher().spelling


def test_one_edit_is_corrected_toward_the_vocabulary() -> None:
    tokens, corrected = spelling().correct(words("negelct reveiw"))
    assert tokens == ("neglect", "review")
    assert corrected == frozenset({0, 1})


def test_a_real_english_word_is_never_changed_into_another() -> None:
    assert spelling().correct_word("leaving") is None  # not 'learning'
    assert spelling().correct_word("polish") is None  # not 'police'


def test_short_and_numeric_words_are_not_corrected() -> None:
    assert spelling().correct_word("cld") is None
    assert spelling().correct_word("2o24") is None


def test_two_edits_toward_a_home_review_name_from_seven_letters() -> None:
    assert spelling().correct_word("patrisha") == "patricia"


def test_a_word_before_a_letter_may_become_a_name_word() -> None:
    tokens, _ = spelling().correct(words("chid e"))
    assert tokens == ("child", "e")


def test_plurals_of_documents_are_read_however_misspelt() -> None:
    assert spelling().plural_documents(words("the older reveiws"))
    assert spelling().plural_documents(words("any scrs"))
    assert not spelling().plural_documents(words("the review"))


def test_a_small_vocabulary_corrects_only_toward_its_words() -> None:
    lexicon: Lexicon = the_matcher().lexicon  # the lists of the test knowledge; the vocabulary is our own
    own = Spelling(frozenset({"quillfeather", "zanzibar"}), {"quillfeather"}, english_words(), lexicon)
    assert own.correct_word("quilfeather") == "quillfeather"
    assert own.correct_word("neglekt") is None


def test_an_acronym_spelt_out_or_dictated_in_pieces_is_joined() -> None:
    join = spelling().join_spelled
    assert join(words("what is the l s c b")) == words("what is the lscb")
    assert join(words("the nsp cc repository")) == words("the nspcc repository")
    assert join(words("what doe csp are stand for")) == words("what doe cspr stand for")
    assert join(words("what wa the el ess see bee")) == words("what wa the lscb")
    assert join(words("see and dee review")) == words("c and d review")  # the letters of a review's name


def test_short_words_that_make_no_acronym_stay_apart() -> None:
    join = spelling().join_spelled
    assert join(words("in to the review")) == words("in to the review")
    assert join(words("child c and d")) == words("child c and d")
    assert join(words("see you later are you there")) == words("see you later are you there")


def test_a_dropped_g_is_put_back_but_a_word_ending_in_in_stays() -> None:
    assert spelling().correct_word("sayin") == "saying"
    assert spelling().correct_word("mornin") == "morning"
    assert spelling().correct_word("cousin") is None


def test_a_home_place_is_never_corrected() -> None:
    """'A nursery in Blaby' is a district of ours, not a 'baby' (which made a DBS question urgent)."""
    assert "blaby" in the_matcher().lexicon.home_places
    assert spelling().correct_word("blaby") is None
    assert spelling().correct_word("babby") == "baby"


def test_a_review_name_typed_as_one_word_comes_apart() -> None:
    join = spelling().join_spelled
    assert join(("childcd", "review")) == ("child", "c", "and", "d", "review")
    assert join(("childe", "pls")) == ("child", "e", "pls")
    assert join(("childcare", "review")) == ("childcare", "review")  # not one of our names' letters
    assert join(("childx", "review")) == ("childx", "review")


def test_a_word_kept_is_never_corrected_into_another() -> None:
    lexicon: Lexicon = the_matcher().lexicon
    vocabulary = frozenset({"leader"})
    assert Spelling(vocabulary, set(), english_words(), lexicon).correct_word("leder") == "leader"
    kept = Spelling(vocabulary, set(), english_words(), lexicon, kept=frozenset({"leder"}))
    assert kept.correct_word("leder") is None  # 'LeDeR reviews', a refusal's word


def test_a_refusal_s_words_are_kept_by_the_matcher() -> None:
    assert "sar" in the_matcher().intents.refusal_words
    assert spelling().correct_word("sar") is None
