"""Regression tests for bugs found by the core test pass (loader crashes, status location, "no" as number,
contractions, invisible characters, calendar months, non-UTF-8 line). Each once failed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from kb_builders import FIXTURE_KNOWLEDGE, add_yaml, copy_knowledge, edit, line_of

from bot.kb.loader import load_knowledge
from bot.kb.models import ReplyKind
from bot.kb.problems import KnowledgeInvalid, Problem
from bot.nlu.normalise import Synonyms, fold, normalise, words
from bot.service.engine import Engine

ROOT = Path(__file__).resolve().parent.parent


def only_problem(directory: Path) -> Problem:
    with pytest.raises(KnowledgeInvalid) as caught:
        load_knowledge(directory)
    assert len(caught.value.problems) == 1, caught.value.problems
    return caught.value.problems[0]


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    return copy_knowledge(tmp_path)


@pytest.fixture(scope="module")
def fixture_synonyms() -> Synonyms:
    return Synonyms((s.canonical, s.variants) for s in load_knowledge(FIXTURE_KNOWLEDGE).synonyms)


# ----- BUG 1 (high): an impossible unquoted date crashes the loader (bot/kb/loader.py:94) -> test_knowledge.py


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("published_on: 2024-07-31", "published_on: 2024-13-01", "reviews[0].documents[0].published_on"),
        (
            "    checked: 2026-11-25\n\n  - id: child-c-d",
            "    checked: 2024-02-30\n\n  - id: child-c-d",
            "reviews[0].checked",
        ),
    ],
    ids=["month-13", "february-30"],
)
def test_bad_unquoted_date_is_a_located_problem(kb_dir: Path, old: str, new: str, key: str) -> None:
    reviews = kb_dir / "reviews.yaml"
    edit(reviews, old, new)
    problem = only_problem(kb_dir)  # today: ValueError('month must be in 1..12') escapes load_knowledge
    needle = new.split("\n")[0].strip()
    assert (problem.file, problem.line, problem.key) == ("reviews.yaml", line_of(reviews, needle), key)


def test_check_command_reports_a_bad_date_as_file_and_line(kb_dir: Path) -> None:  # -> test_check_command.py
    reviews = kb_dir / "reviews.yaml"
    edit(reviews, "published_on: 2024-07-31", "published_on: 2024-13-01")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "check", "--knowledge", str(kb_dir), "--now", "2026-12-01"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"reviews.yaml:{line_of(reviews, '2024-13-01')}:" in result.stderr


# ----- BUG 2 (medium): `documents:` as a scalar crashes the duplicate-id check (bot/kb/loader.py:236) -------


@pytest.mark.parametrize("value", ["5", "true"])
def test_documents_of_the_wrong_type_is_a_problem_not_a_crash(kb_dir: Path, value: str) -> None:
    path = add_yaml(
        kb_dir,
        "zz-docs.yaml",
        f"""
        reviews:
          - id: child-q
            name: Child Q
            partnership: lscpb
            review_type: lcspr
            summary: A review.
            documents: {value}
            sources: [https://example.org/x]
            checked: 2026-11-25
        """,
    )
    problem = only_problem(kb_dir)  # today: TypeError: 'int' object is not iterable
    assert (problem.file, problem.line, problem.key) == (
        "zz-docs.yaml",
        line_of(path, "documents:"),
        "reviews[0].documents",
    )


# ----- BUG 3 (low): an unknown or missing status is not located at the `status` key (bot/kb/loader.py:141-150)


def test_unknown_status_names_the_status_key_and_its_line(kb_dir: Path) -> None:  # -> test_knowledge.py
    reviews = kb_dir / "reviews.yaml"
    edit(reviews, "        status: published\n", "        status: draft\n")
    problem = only_problem(kb_dir)
    # today: line of "- id: child-e-improvements-briefing", key "reviews[0].documents[0]"
    assert (problem.line, problem.key) == (line_of(reviews, "status: draft"), "reviews[0].documents[0].status")


def test_missing_status_names_the_status_key(kb_dir: Path) -> None:  # -> test_knowledge.py
    reviews = kb_dir / "reviews.yaml"
    edit(reviews, "        status: published\n", "")
    problem = only_problem(kb_dir)
    assert problem.key == "reviews[0].documents[0].status"  # as every other missing key is named
    assert problem.line == line_of(reviews, "- id: child-e-improvements-briefing")


# ----- BUG 4 (medium): every "no" is rewritten to "number" (intents.yaml:300 + bot/nlu/normalise.py:53) --


def test_no_is_not_read_as_number(fixture_synonyms: Synonyms) -> None:  # -> test_normalise.py
    assert normalise("no thanks", fixture_synonyms)[0] == "no"  # today: ("number", "thank")


def test_replying_no_does_not_get_the_phone_numbers() -> None:  # -> test_matcher.py / test_answers.py
    reply = Engine(load_knowledge(FIXTURE_KNOWLEDGE)).answer("no")
    assert reply.intent != "contacts"  # today: kind=answer, intent=contacts, confidence 70


# ----- BUG 5 (low): "what's" and "whats" normalise differently, against normalise.py's own docstring ----------


@pytest.mark.parametrize("typed", ["Whats NEW??", "what`s new", "what´s new", "what is new"])
def test_whats_forms_normalise_alike(fixture_synonyms: Synonyms, typed: str) -> None:  # -> test_normalise.py
    # The module docstring: 'a rule written as "what's new" matches a question typed "Whats NEW??"'.
    assert normalise("what's new", fixture_synonyms) == normalise(typed, fixture_synonyms)


def test_whats_new_is_as_sure_as_whats_new_without_apostrophe() -> None:  # -> test_matcher.py
    engine = Engine(load_knowledge(FIXTURE_KNOWLEDGE))
    assert engine.understand("what's new").confidence == engine.understand("whats new").confidence  # 84.2 vs 100


# ----- BUG 6 (low): fold does not drop control/format characters, as its docstring says (bot/nlu/normalise.py:22) --


@pytest.mark.parametrize("invisible", ["\u200b", "\u00ad", "\u200d", "\ufeff", "\x00"])
def test_invisible_characters_inside_a_word_are_dropped(invisible: str) -> None:  # -> test_normalise.py
    assert invisible not in fold(f"Pat{invisible}ricia")
    assert words(f"Pat{invisible}ricia") == ("patricia",)  # today: ("pat", "ricia")


def test_a_name_pasted_with_a_soft_hyphen_is_still_found() -> None:  # -> test_matcher.py
    match = Engine(load_knowledge(FIXTURE_KNOWLEDGE)).understand("Patri\u00adcia")
    assert match.kind == ReplyKind.ANSWER and [r.id for r in match.refs] == ["patricia"]


# ----- BUG 7 (low): "older than 12 months" is 365 days, so over a leap day an entry exactly 12 months old is stale


def test_exactly_twelve_calendar_months_is_not_stale_across_a_leap_day(kb_dir: Path) -> None:  # -> test_check_command
    import datetime as dt

    from bot.kb.lint import stale_entries

    kb = load_knowledge(kb_dir)  # every fixture entry: checked 2026-11-25
    assert stale_entries(kb, dt.date(2027, 11, 25)) == []  # 365 days, no leap day: fine today
    leap_kb = kb.model_copy(
        update={"themes": tuple(t.model_copy(update={"checked": dt.date(2027, 11, 25)}) for t in kb.themes)}
    )
    stale_themes = [w for w in stale_entries(leap_kb, dt.date(2028, 11, 25)) if w.where.startswith("themes.")]
    assert stale_themes == []  # today: every theme is reported, 12 calendar months = 366 days here


# ----- BUG 8 (low): a non-UTF-8 byte is reported at line 1, not at its own line (bot/kb/loader.py:83-84) --------


def test_non_utf8_byte_is_reported_at_its_line(kb_dir: Path) -> None:  # -> test_knowledge.py
    (kb_dir / "zz-latin1.yaml").write_bytes("themes:\n  - id: cafe\n    name: Caf\xe9\n".encode("latin-1"))
    problem = only_problem(kb_dir)
    assert problem.line == 3
