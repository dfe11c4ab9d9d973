"""The command line, run as a practitioner or a tool would run it: a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from kb_builders import FIXTURE_KNOWLEDGE

ROOT = Path(__file__).parent.parent


def bot(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env=env,
    )


def test_ask_jsonl_keeps_the_contract_one_object_per_line_in_order() -> None:
    questions = ["whats new", "", "chlid e", "tell me a joke", "a child is in danger", "child"]
    result = bot("ask", "--jsonl", stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["question"] for line in lines] == questions
    for line in lines:
        assert set(line) == {"question", "kind", "intent", "entries", "confidence", "text", "links", "suggestions"}
        assert 0 <= line["confidence"] <= 100
    assert [line["kind"] for line in lines] == ["answer", "chat", "answer", "fallback", "urgent", "clarify"]
    assert lines[0]["intent"] == "latest_reviews"
    assert lines[2]["entries"] == ["child-e"]
    assert lines[5]["suggestions"]


def test_ask_prints_the_same_text_as_the_json() -> None:
    plain = bot("ask", "neglect").stdout.strip()
    as_json = json.loads(bot("ask", "--jsonl", stdin="neglect\n").stdout)
    assert plain == as_json["text"]


def test_now_before_the_publication_date_still_answers_from_the_clock_given() -> None:
    result = bot("--now", "2024-07-20T10:00", "ask", "latest reviews")
    assert result.returncode == 0
    assert "Latest publications" in result.stdout


@pytest.mark.parametrize("bad", ["yesterday", "2024-13-01"])
def test_bad_now_is_a_clear_usage_error(bad: str) -> None:
    result = bot("ask", "--now", bad, "hi")
    assert result.returncode == 2
    assert "ISO-8601" in result.stderr


def test_run_without_a_token_is_the_console_chat() -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT), "KNOWLEDGE_DIR": str(FIXTURE_KNOWLEDGE)}
    result = bot("run", stdin="child e\nquit\n", env=env | {"PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert "console chat" in result.stderr
    assert "Improvements made briefing" in result.stdout


def test_a_broken_knowledge_base_stops_start_up_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("reviews:\n  - id: Not A Slug\n", encoding="utf-8")
    result = bot("ask", "--knowledge", str(tmp_path), "hi")
    assert result.returncode == 1
    assert "bad.yaml:2:" in result.stderr


def test_evaluate_prints_accuracy_and_fails_under_the_bar(tmp_path: Path) -> None:
    labels = tmp_path / "labels.yaml"
    labels.write_text(
        '- q: "child e"\n  kind: answer\n  intent: review\n  entries: [child-e]\n'
        '- q: "tell me a joke"\n  kind: answer\n  intent: review\n',
        encoding="utf-8",
    )
    result = bot("evaluate", str(labels), "--min-accuracy", "0.9")
    assert "accuracy: 50.0%" in result.stdout
    assert result.returncode == 1
    assert bot("evaluate", str(labels), "--min-accuracy", "0.5").returncode == 0


def test_a_bad_log_level_is_a_clear_error_not_a_traceback() -> None:
    import os

    result = bot("ask", "hi", env={**os.environ, "LOG_LEVEL": "loud"})
    assert result.returncode == 2
    assert "LOG_LEVEL" in result.stderr and "Traceback" not in result.stderr
