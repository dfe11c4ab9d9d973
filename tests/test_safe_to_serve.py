"""A knowledge base the bot cannot serve safely is refused everywhere it would go live, in words an editor can
act on; text in any bytes comes back as valid, one-record-per-line UTF-8. Real subprocesses, real files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from kb_builders import copy_knowledge, edit, line_of

from bot.answers.composers import composes, withdraw_composer
from bot.answers.reply import Reply, para
from bot.kb.models import ReplyKind
from bot.kb.problems import KnowledgeInvalid
from bot.service.engine import Engine
from bot.service.knowledge import read_servable

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-25T12:00"


def bot(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


def _drop_entry(path: Path, entry_id: str) -> None:
    """Remove one list entry (from its `- id:` line to the next one) from a knowledge file."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {entry_id}")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("- id: ")), len(lines))
    path.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")


def _empty_contacts(kb: Path) -> None:
    (kb / "contacts.yaml").write_text("contacts: []\n", encoding="utf-8")


def _no_999(kb: Path) -> None:
    _drop_entry(kb / "contacts.yaml", "emergency-999")


def _no_city_duty(kb: Path) -> None:
    _drop_entry(kb / "contacts.yaml", "leicester-city-duty")


def _every_file_empty(kb: Path) -> None:
    for path in kb.glob("*.yaml"):
        path.write_text("", encoding="utf-8")


def _no_intents_file(kb: Path) -> None:
    (kb / "intents.yaml").unlink()


def _no_home(kb: Path) -> None:
    edit(kb / "partnerships.yaml", "    home: true\n", "")


def _two_homes(kb: Path) -> None:
    edit(kb / "partnerships.yaml", "  - id: lrscp\n", "  - id: lrscp\n    home: true\n")


def _intent_without_composer(kb: Path) -> None:
    edit(kb / "intents.yaml", "intents:\n", 'intents:\n  - id: opening_hours\n    rules: ["opening hours"]\n\n')


BROKEN: dict[str, tuple[Callable[[Path], None], str]] = {
    "contacts emptied": (_empty_contacts, "no urgent contact with phone 999"),
    "999 removed": (_no_999, "no urgent contact with phone 999"),
    "home area's duty number removed": (_no_city_duty, "for the home partnership's area"),
    "every file empty": (_every_file_empty, "no reviews"),
    "intents.yaml deleted": (_no_intents_file, "no intents"),
    "no home partnership": (_no_home, "no partnership is marked `home: true`"),
    "two home partnerships": (_two_homes, "only one partnership can be home"),
    "an intent with no composer": (_intent_without_composer, "no composer answers intent 'opening_hours'"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_check_and_ask_refuse_a_knowledge_base_the_bot_cannot_serve(tmp_path: Path, name: str) -> None:
    breaks, expected = BROKEN[name]
    kb = copy_knowledge(tmp_path)
    breaks(kb)
    checked = bot("check", "--knowledge", str(kb), "--now", NOW)
    assert checked.returncode == 1
    errors = checked.stderr.decode()
    assert expected in errors
    asked = bot("ask", "--knowledge", str(kb), "--now", NOW, "child e")
    assert asked.returncode == 1 and expected in asked.stderr.decode()
    assert asked.stdout == b""


def test_a_missing_entry_is_located_at_its_section_in_its_file(tmp_path: Path) -> None:
    kb = copy_knowledge(tmp_path)
    _no_999(kb)
    errors = bot("check", "--knowledge", str(kb)).stderr.decode()
    assert f"error: contacts.yaml:{line_of(kb / 'contacts.yaml', 'contacts:')}: contacts: no urgent contact" in errors


def test_an_intent_without_a_composer_is_located_at_its_line(tmp_path: Path) -> None:
    kb = copy_knowledge(tmp_path)
    _intent_without_composer(kb)
    errors = bot("check", "--knowledge", str(kb)).stderr.decode()
    assert f"intents.yaml:{line_of(kb / 'intents.yaml', '- id: opening_hours')}: " in errors


def test_a_new_intent_needs_only_its_yaml_and_one_composer(tmp_path: Path) -> None:
    kb = copy_knowledge(tmp_path)
    _intent_without_composer(kb)
    with pytest.raises(KnowledgeInvalid):
        read_servable(kb)

    @composes("opening_hours")
    def opening_hours(composer: object, match: object) -> Reply:
        return Reply(ReplyKind.ANSWER, (para("Opening hours are on each service's own page."),), intent="opening_hours")

    try:
        engine = Engine(read_servable(kb).kb)
        reply = engine.answer("what are the opening hours")
        assert (reply.kind, reply.intent) == (ReplyKind.ANSWER, "opening_hours")
    finally:
        withdraw_composer("opening_hours")


def test_a_composer_without_an_intent_is_refused(tmp_path: Path) -> None:
    kb = copy_knowledge(tmp_path)
    _drop_entry(kb / "intents.yaml", "archive")
    with pytest.raises(KnowledgeInvalid) as caught:
        read_servable(kb)
    assert "a composer answers 'archive' but no intent of that id is declared" in str(caught.value)


# ----- messages an editor can act on ----------------------------------------------------------------------


def _first_error(kb: Path) -> str:
    result = bot("check", "--knowledge", str(kb))
    assert result.returncode == 1
    return result.stderr.decode().splitlines()[0]


def test_an_unclosed_quote_is_reported_where_it_opens(tmp_path: Path) -> None:
    kb = copy_knowledge(tmp_path)
    edit(kb / "reviews.yaml", "    name: Child E\n", '    name: "Child E\n')
    line = line_of(kb / "reviews.yaml", 'name: "Child E')
    assert _first_error(kb).startswith(f"error: reviews.yaml:{line}: (file): YAML syntax: this quote is never closed")


def test_a_missing_colon_is_reported_on_its_own_line(tmp_path: Path) -> None:
    kb = copy_knowledge(tmp_path)
    edit(kb / "reviews.yaml", "    name: Child E\n", "    name Child E\n")
    line = line_of(kb / "reviews.yaml", "name Child E")
    error = _first_error(kb)
    assert error.startswith(f"error: reviews.yaml:{line}: ") and f"noticed at line {line + 1}" in error


def test_a_tab_is_named(tmp_path: Path) -> None:
    kb = copy_knowledge(tmp_path)
    edit(kb / "reviews.yaml", "    name: Child E\n", "\tname: Child E\n")
    assert "tab" in _first_error(kb)


@pytest.mark.parametrize("written", ["31/07/2024", "2024-02-30"])
def test_a_date_in_another_form_says_the_expected_form(tmp_path: Path, written: str) -> None:
    kb = copy_knowledge(tmp_path)
    edit(kb / "reviews.yaml", "published_on: 2024-07-31", f"published_on: {written}")
    error = _first_error(kb)
    assert f"'{written}' is not a real date: write YYYY-MM-DD" in error
    assert re.match(r"error: reviews\.yaml:\d+: ", error)


def test_a_publication_dated_in_the_future_is_a_located_warning(tmp_path: Path) -> None:
    kb = copy_knowledge(tmp_path)
    edit(kb / "reviews.yaml", "published_on: 2024-07-31", "published_on: 2030-07-31")
    result = bot("check", "--knowledge", str(kb), "--now", NOW)
    assert result.returncode == 0
    line = line_of(kb / "reviews.yaml", "published_on: 2030-07-31")
    assert f"warning: reviews.yaml:{line}: " in result.stdout.decode()
    assert "published_on 2030-07-31 is in the future" in result.stdout.decode()


def test_every_warning_names_file_and_line() -> None:
    warnings = [line for line in bot("check").stdout.decode().splitlines() if line.startswith("warning:")]
    assert warnings
    assert all(re.match(r"warning: [\w.-]+\.ya?ml:\d+: ", line) for line in warnings), warnings


def test_check_is_quiet_on_a_closed_pipe() -> None:
    result = subprocess.run(
        f"{sys.executable} -m bot check --stale-months 1 --now 2030-01-01T00:00 | head -c 1",
        shell=True,
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert b"Traceback" not in result.stderr and b"BrokenPipe" not in result.stderr


@pytest.mark.parametrize("value", ["-5", "0", "twelve"])
def test_stale_months_must_be_a_positive_whole_number(value: str) -> None:
    result = bot("check", "--stale-months", value)
    assert result.returncode == 2
    assert b"--stale-months" in result.stderr


# ----- text in, text out ------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["C.UTF-8", "C"])
def test_invalid_utf8_is_replaced_and_no_line_is_lost(locale: str) -> None:
    questions = b"child e\n\xff\xfe what about neglect \xc3\n\xe2\x80 patricia\n"
    result = bot("ask", "--jsonl", "--now", NOW, stdin=questions, env={"LC_ALL": locale, "LANG": locale})
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.decode("utf-8").split("\n") if line]
    assert len(records) == 3
    assert records[0]["entries"] == ["child-e"]
    assert "\ufffd" in records[1]["question"] and "neglect" in records[1]["question"]
    assert records[2]["entries"] == ["patricia"]


def test_line_separators_inside_a_question_stay_inside_its_record() -> None:
    questions = "child e\u2028and more\nneglect\x85learning\npatricia\u2029\n".encode()
    result = bot("ask", "--jsonl", "--now", NOW, stdin=questions)
    out = result.stdout.decode("utf-8")
    assert len(out.splitlines()) == 3  # str.splitlines breaks on U+2028, U+2029 and U+0085 too
    assert json.loads(out.splitlines()[0])["question"] == "child e\u2028and more"


def test_the_console_chat_survives_invalid_utf8() -> None:
    result = bot("chat", "--now", NOW, stdin=b"\xff\xfe\nchild e\n")
    assert result.returncode == 0
    assert "Child E" in result.stdout.decode("utf-8")


def test_a_worry_at_the_end_of_a_4000_character_message_is_urgent() -> None:
    filler = "We have a team meeting about the training calendar and the new referral form next week. "
    message = (filler * 60)[:3900] + " A baby in my care has a bruise and I am worried she is in danger now."
    assert 3950 < len(message) <= 4096
    result = bot("ask", "--jsonl", "--now", NOW, stdin=message.encode() + b"\n")
    assert json.loads(result.stdout)["kind"] == "urgent"


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("evaluate", "tests/eval/unseen/questions_holdout87.yaml", "--min-accuracy", "5"), b"--min-accuracy"),
        (("bench", "--quick", "--sizes", "abc"), b"--sizes"),
    ],
)
def test_option_values_are_validated(args: tuple[str, ...], option: bytes) -> None:
    result = bot(*args)
    assert result.returncode == 2 and option in result.stderr
