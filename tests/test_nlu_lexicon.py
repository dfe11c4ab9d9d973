"""The domain's word lists are knowledge: read from lexicon.yaml, validated, required, and extended by an editor
without touching code."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from kb_builders import LONDON, copy_knowledge, edit, line_of
from nlu_helpers import KNOWLEDGE, the_matcher

from bot.kb.loader import json_schema, load_knowledge
from bot.kb.models import LexiconList, ReplyKind
from bot.kb.problems import KnowledgeInvalid
from bot.nlu.lexicon import Lexicon
from bot.service.engine import Engine

NOW = dt.datetime(2026, 11, 25, 12, tzinfo=LONDON)


def test_every_list_is_read_from_the_shipped_knowledge() -> None:
    lexicon = Lexicon.of(load_knowledge(KNOWLEDGE))
    assert "bruising" in lexicon.concern_words
    assert "nottinghamshire" in lexicon.other_areas
    assert ("a", "review") in lexicon.any_review
    assert "is it legal" in lexicon.law_questions


def test_phrases_are_read_as_the_normaliser_writes_a_question() -> None:
    """An editor writes 'years ago' as people type it; questions reach safety as 'year ago'."""
    written = Lexicon.of(load_knowledge(KNOWLEDGE))
    read = the_matcher().lexicon
    assert " years ago " in written.frames and " years ago " not in read.frames
    assert " year ago " in read.frames
    assert the_matcher().safety.framed(the_matcher().tokens("a case study years ago, what is a rapid review")[0], {})


def test_a_list_includes_the_lists_it_names() -> None:
    lexicon = Lexicon.of(load_knowledge(KNOWLEDGE))
    assert lexicon.child_nouns < lexicon.child_words  # child-words includes child-nouns
    assert lexicon.generic_review_words < lexicon.case_words < lexicon.process_words  # includes, two deep
    assert "grandson" in lexicon.child_words and "grandson" not in lexicon.child_nouns


def test_a_misspelt_list_is_refused_at_its_line(tmp_path: Path) -> None:
    kb = copy_knowledge(tmp_path)
    edit(kb / "lexicon.yaml", "  - id: now-words\n", "  - id: now-wordz\n")
    with pytest.raises(KnowledgeInvalid) as raised:
        load_knowledge(kb)
    line = line_of(kb / "lexicon.yaml", "now-wordz")
    assert any(str(p).startswith(f"lexicon.yaml:{line}: lexicon[") for p in raised.value.problems)


def test_a_missing_list_is_refused(tmp_path: Path) -> None:
    kb = copy_knowledge(tmp_path)
    path = kb / "lexicon.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: now-words\n")
    path.write_text(text[:start] + text[text.index("  - id: ", start + 1) :], encoding="utf-8")
    with pytest.raises(KnowledgeInvalid) as raised:
        load_knowledge(kb)
    assert any("no word list 'now-words'" in str(p) for p in raised.value.problems)


def test_a_list_twice_is_a_duplicate(tmp_path: Path) -> None:
    kb = copy_knowledge(tmp_path)
    (kb / "more-words.yaml").write_text(
        "lexicon:\n  - id: now-words\n    about: Again.\n    words: [tonight]\n", encoding="utf-8"
    )
    with pytest.raises(KnowledgeInvalid) as raised:
        load_knowledge(kb)
    assert any("duplicate id 'now-words'" in str(p) for p in raised.value.problems)


def test_a_word_must_be_written_as_the_normaliser_writes_it(tmp_path: Path) -> None:
    kb = copy_knowledge(tmp_path)
    edit(kb / "lexicon.yaml", "[tonight,", "[Tonight!,")
    with pytest.raises(KnowledgeInvalid) as raised:
        load_knowledge(kb)
    assert any("lexicon.yaml" in str(p) and "words" in str(p) for p in raised.value.problems)


def test_every_list_is_in_the_schema_editors_get() -> None:
    schema = json.loads(json_schema())
    ids = schema["$defs"]["LexiconList"]["enum"]
    assert set(ids) == {name.value for name in LexiconList}
    assert "lexicon" in schema["properties"]


def test_an_area_an_editor_adds_is_another_area_at_once(tmp_path: Path) -> None:
    question = "quillshire cspr 2023"  # lower case: a capitalised unknown place beside a review word is unknown already
    before = Engine(load_knowledge(copy_knowledge(tmp_path, "before")), lambda: NOW).snapshot().matcher.match(question)
    kb = copy_knowledge(tmp_path, "after")
    edit(kb / "lexicon.yaml", "      - bedfordshire\n", "      - bedfordshire\n      - quillshire\n")
    after = Engine(load_knowledge(kb), lambda: NOW).snapshot().matcher.match(question)
    assert not (before.kind == ReplyKind.FALLBACK and before.unknown_review)
    assert after.kind == ReplyKind.FALLBACK and after.unknown_review


def test_a_town_an_editor_adds_to_a_partnership_is_a_home_place_and_names_that_partnership(tmp_path: Path) -> None:
    kb = copy_knowledge(tmp_path, "after")
    edit(kb / "partnerships.yaml", "places: [Melton Mowbray, Melton, Oakham]", "places: [Melton, Oakham, Zorby Vale]")
    matcher = Engine(load_knowledge(kb), lambda: NOW).snapshot().matcher
    assert {"zorby", "vale"} <= matcher.lexicon.home_places
    assert matcher.entities.placed(matcher.tokens("our school is in zorby vale")[0]) == ("lrscp",)
    assert "zorby" not in the_matcher().lexicon.home_places
