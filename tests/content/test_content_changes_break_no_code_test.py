"""Adding a review to the shipped knowledge base breaks no code test (issue 12): the code tests read the frozen
fixture (tests/fixtures/knowledge/), never bot/knowledge/.

The proof runs them against a copy of the project whose shipped knowledge has one review more, written to
disturb whatever still read it: it comes first in reviews.yaml, is the newest publication (so "latest
reviews" changes), carries a theme, and is called Child F, a name the matcher tests expect to be unknown. The
code tests run in a fresh pytest in that copy; KNOWLEDGE_DIR names the changed knowledge as well, for
anything read before tests/conftest.py points it at the fixture. They are a fast subset covering the
matcher, the answers, normalising, the loader and check, the command line, the conversation service and
Telegram's units; tests/shipped_guard.py holds every code test to the same rule in-process.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from kb_builders import edit

ROOT = Path(__file__).resolve().parents[2]
CODE_TESTS = (
    "test_matcher.py",
    "test_answers.py",
    "test_normalise.py",
    "test_regressions.py",
    "test_knowledge.py",
    "test_checks.py",
    "test_evaluation_report.py",
    "test_generate.py",
    "test_cli.py",
    "test_conversation.py",
    "test_telegram_units.py",
)
NEW_REVIEW = """\
reviews:
  - id: child-f
    name: Child F
    aliases: [Child F review, Child F LSCPR]
    partnership: lscpb
    review_type: lcspr
    themes: [neglect]
    summary: A Local Child Safeguarding Practice Review about a child the partnership refers to as Child F.
    documents:
      - id: child-f-briefing
        type: briefing
        title: Child F - LSCPR briefing
        status: published
        published_on: 2026-11-20
        url: https://lcitylscb.org/learning-from-reviews
        summary: A briefing on the Child F review, published on the Learning From Reviews page.
        sources: [https://lcitylscb.org/learning-from-reviews]
        checked: 2026-11-25
    sources: [https://lcitylscb.org/learning-from-reviews]
    checked: 2026-11-25

"""


def project_with_a_new_review(target: Path) -> Path:
    """The package, the code tests and their configuration, with Child F added to the shipped reviews.yaml."""
    skip = shutil.ignore_patterns("__pycache__", "content", "eval", "browser")
    shutil.copytree(ROOT / "bot", target / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tests", target / "tests", ignore=skip)
    shutil.copy2(ROOT / "pyproject.toml", target / "pyproject.toml")
    edit(target / "bot" / "knowledge" / "reviews.yaml", "\nreviews:\n", "\n" + NEW_REVIEW)
    return target


def test_a_review_added_to_the_shipped_knowledge_breaks_no_code_test(tmp_path: Path) -> None:
    project = project_with_a_new_review(tmp_path / "project")
    env = {**os.environ, "KNOWLEDGE_DIR": str(project / "bot" / "knowledge"), "PYTHONPATH": str(project)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, *args]
        return subprocess.run(command, capture_output=True, text=True, cwd=project, env=env, timeout=600)

    # The copy's own package serves the new review from its shipped knowledge: the change is live there.
    asked = run("-m", "bot", "ask", "--now", "2026-11-25T12:00", "latest reviews")
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout.splitlines()[1].startswith("• 20 November 2026: Child F")

    tests = run("-m", "pytest", "-q", "-p", "no:cacheprovider", *(f"tests/{name}" for name in CODE_TESTS))
    assert tests.returncode == 0, tests.stdout[-5000:] + tests.stderr[-2000:]
    summary = tests.stdout.strip().splitlines()[-1]  # e.g. "532 passed, 2 warnings in 30.1s": nothing skipped
    assert re.match(r"\d+ passed(, \d+ warnings?)? in ", summary), summary
