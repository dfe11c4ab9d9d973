"""`python -m bot check`, run as an editor or CI would run it: a real subprocess on a copy of the knowledge."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from kb_builders import add_yaml, copy_knowledge, edit, embargo_knowledge, line_of

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CHECKED = "2026-11-25"  # every fixture entry was checked on this date
NOW = "2026-12-01T10:00"
NEGLECT_CHECKED = (
    "learning-from-case-reviews/neglect]\n    checked: 2026-11-25\n",
    "learning-from-case-reviews/neglect]\n    checked: 2025-06-01\n",
)
LOCATED = re.compile(r"^error: (?P<file>[^:\s]+\.ya?ml):(?P<line>\d+): ", re.MULTILINE)


def check(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "check", "--knowledge", str(directory), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def stale_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("warning:") and "last checked" in line]


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    return copy_knowledge(tmp_path)


def test_the_fixture_knowledge_passes(kb_dir: Path) -> None:
    result = check(kb_dir, "--now", NOW)
    assert result.returncode == 0, result.stderr
    assert "error" not in result.stderr
    assert result.stdout.splitlines()[-1].startswith(f"ok: {kb_dir}: ")
    assert stale_lines(result.stdout) == []


def test_the_embargo_scenario_passes(tmp_path: Path) -> None:
    directory = embargo_knowledge(tmp_path)
    result = check(directory, "--now", NOW)
    assert result.returncode == 0, result.stderr
    assert "6 reviews" in result.stdout


@pytest.mark.parametrize(
    ("filename", "old", "new", "needle"),
    [
        ("reviews.yaml", "    name: Child E\n", "    name: Child E\n    colour: blue\n", "colour: blue"),
        ("contacts.yaml", "    order: 1\n", "    order: first\n", "order: first"),
        ("statements.yaml", "    review: baby-scr\n", "    review: baby-nothing\n", "review: baby-nothing"),
        (
            "themes.yaml",
            '    summary: "Learning from case reviews on neglect."\n',
            "    summary: Learning: from case reviews: neglect\n",
            "Learning: from",
        ),
        (
            "reviews.yaml",
            "        status: withheld\n",
            "        status: withheld\n        url: https://x.org/r\n",
            "x.org",
        ),
    ],
    ids=["unknown-key", "wrong-type", "dead-reference", "yaml-syntax", "withheld-url"],
)
def test_broken_copy_exits_1_with_file_and_line_on_stderr(
    kb_dir: Path, filename: str, old: str, new: str, needle: str
) -> None:
    path = kb_dir / filename
    edit(path, old, new)
    result = check(kb_dir, "--now", NOW)
    assert result.returncode == 1
    located = [(m["file"], int(m["line"])) for m in LOCATED.finditer(result.stderr)]
    assert located == [(filename, line_of(path, needle))], result.stderr
    assert "1 error(s)" in result.stderr
    assert "ok:" not in result.stdout
    assert "Traceback" not in result.stderr


def test_every_error_is_printed(kb_dir: Path) -> None:
    edit(kb_dir / "contacts.yaml", "    order: 1\n", "    order: first\n")
    add_yaml(kb_dir, "zz-list.yaml", "- just a list\n")
    result = check(kb_dir, "--now", NOW)
    assert result.returncode == 1
    assert [m["file"] for m in LOCATED.finditer(result.stderr)] == ["contacts.yaml", "zz-list.yaml"]
    assert "2 error(s)" in result.stderr


def test_missing_directory_exits_1(tmp_path: Path) -> None:
    result = check(tmp_path / "nowhere", "--now", NOW)
    assert result.returncode == 1
    assert "not found" in result.stderr


def test_stale_checked_date_warns_and_still_exits_0(kb_dir: Path) -> None:
    edit(kb_dir / "themes.yaml", *NEGLECT_CHECKED)
    result = check(kb_dir, "--now", NOW)
    assert result.returncode == 0, result.stderr
    line = line_of(kb_dir / "themes.yaml", "checked: 2025-06-01")
    assert stale_lines(result.stdout) == [
        f"warning: themes.yaml:{line}: themes.neglect.checked: last checked 2025-06-01, more than 12 months ago",
    ]
    assert result.stdout.splitlines()[-1].startswith("ok: ")


def test_stale_months_option_widens_the_limit(kb_dir: Path) -> None:
    edit(kb_dir / "themes.yaml", *NEGLECT_CHECKED)
    result = check(kb_dir, "--now", NOW, "--stale-months", "24")
    assert result.returncode == 0
    assert stale_lines(result.stdout) == []


def test_stale_months_option_narrows_the_limit(kb_dir: Path) -> None:
    result = check(kb_dir, "--now", "2027-02-01T10:00", "--stale-months", "1")
    assert result.returncode == 0
    lines = stale_lines(result.stdout)
    assert lines and all(f"last checked {FIXTURE_CHECKED}, more than 1 months ago" in line for line in lines)
    assert any(re.match(r"warning: reviews\.yaml:\d+: reviews\.child-e\.checked:", line) for line in lines)
    assert any(
        re.match(
            r"warning: reviews\.yaml:\d+: reviews\.child-e\.documents\.child-e-improvements-briefing\.checked:", line
        )
        for line in lines
    )


def test_stale_is_relative_to_now_not_the_real_clock(kb_dir: Path) -> None:
    fresh = check(kb_dir, "--now", "2027-11-01T10:00")
    old = check(kb_dir, "--now", "2027-12-31T10:00")
    assert stale_lines(fresh.stdout) == []
    assert len(stale_lines(old.stdout)) > 10
    assert fresh.returncode == old.returncode == 0


def test_stale_limit_boundary_at_twelve_months(kb_dir: Path) -> None:
    edit(kb_dir / "themes.yaml", *NEGLECT_CHECKED)
    exactly = check(kb_dir, "--now", "2026-06-01T10:00")
    one_day_more = check(kb_dir, "--now", "2026-06-02T10:00")
    assert stale_lines(exactly.stdout) == []
    assert [line.split(": ")[2] for line in stale_lines(one_day_more.stdout)] == ["themes.neglect.checked"]


def test_now_with_an_offset_is_accepted(kb_dir: Path) -> None:
    edit(kb_dir / "themes.yaml", *NEGLECT_CHECKED)
    result = check(kb_dir, "--now", "2026-06-02T00:30:00+01:00")
    assert result.returncode == 0
    assert len(stale_lines(result.stdout)) == 1


def test_bad_stale_months_is_a_usage_error(kb_dir: Path) -> None:
    result = check(kb_dir, "--stale-months", "twelve")
    assert result.returncode == 2
    assert "--stale-months" in result.stderr
