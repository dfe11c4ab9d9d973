"""Reloading the knowledge base while serving: a broken edit keeps the old answers and reports file and
line; the fixed file reloads; newly published reviews are announced; SIGHUP triggers a reload."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import signal
from pathlib import Path

import pytest
from helpers_lifecycle import (
    FakeClock,
    FakeSender,
    FakeSleep,
    copy_knowledge,
    published_doc,
    review,
    write_reviews,
)

from bot.answers.render import plain_text
from bot.kb.loader import load_knowledge
from bot.service.announcements import Announcer
from bot.service.engine import Engine
from bot.service.reloader import install_sighup, reload, reload_reply, remove_sighup
from bot.service.store import SqliteStore

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def _line_of(path: Path, needle: str) -> int:
    """1-based line number of the first line containing `needle`."""
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()) if needle in line) + 1


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    return copy_knowledge(tmp_path)


@pytest.fixture
def engine(knowledge: Path) -> Engine:
    return Engine(load_knowledge(knowledge), FakeClock(NOW))


def test_a_broken_edit_keeps_the_old_answers_and_names_file_and_line(knowledge: Path, engine: Engine) -> None:
    before = plain_text(engine.answer("Child E"))
    reviews = knowledge / "reviews.yaml"
    good = reviews.read_text(encoding="utf-8")
    reviews.write_text(good.replace("status: published", "status: publishd", 1), encoding="utf-8")
    # The loader names the document's line (its "- id:") or the status key's; either locates the edit.
    status_line = _line_of(reviews, "status: publishd")
    text_lines = reviews.read_text(encoding="utf-8").splitlines()
    item_line = max(i + 1 for i in range(status_line) if text_lines[i].lstrip().startswith("- id:"))
    lines = {item_line, status_line}

    outcome = reload(engine, knowledge)

    assert not outcome.ok
    (problem,) = outcome.problems
    assert problem.file == "reviews.yaml" and problem.line in lines and "status" in problem.message
    report = plain_text(reload_reply(outcome))
    assert f"reviews.yaml:{problem.line}:" in report and "Still serving the previous knowledge base" in report
    assert plain_text(engine.answer("Child E")) == before

    reviews.write_text(good, encoding="utf-8")  # the editor fixes the typo and adds a review
    write_reviews(knowledge, [review("child-w", "Child W", [published_doc("child-w-report", "2026-11-30")])])
    assert "child-w" not in engine.answer("Child W").entries
    fixed = reload(engine, knowledge)
    assert fixed.ok and fixed.problems == ()
    assert f"Reloaded: {len(load_knowledge(knowledge).reviews)} reviews." in plain_text(reload_reply(fixed))
    assert engine.answer("Child W").entries == ("child-w",)
    assert engine.answer("Child E").entries == ("child-e",)


def test_a_yaml_syntax_error_is_reported_with_its_line(knowledge: Path, engine: Engine) -> None:
    themes = knowledge / "themes.yaml"
    text = themes.read_text(encoding="utf-8")
    themes.write_text(text.replace('name: "Neglect"', 'name: "Neglect', 1), encoding="utf-8")
    outcome = reload(engine, knowledge)
    assert not outcome.ok
    (problem,) = outcome.problems
    assert problem.file == "themes.yaml" and "YAML syntax" in problem.message
    assert problem.line >= _line_of(themes, 'name: "Neglect')
    assert engine.answer("neglect").intent == "theme"


def test_a_missing_directory_keeps_serving(knowledge: Path, engine: Engine) -> None:
    shutil.rmtree(knowledge)
    outcome = reload(engine, knowledge)
    assert not outcome.ok and "not found" in outcome.problems[0].message
    assert engine.answer("Child E").entries == ("child-e",)


def test_many_problems_are_capped_in_the_reply(knowledge: Path, engine: Engine) -> None:
    broken = [
        review(f"broken-{n}", f"Broken {n}", [published_doc(f"broken-{n}-doc", "2026-01-01")], partnership="nowhere")
        for n in range(30)
    ]
    write_reviews(knowledge, broken)
    outcome = reload(engine, knowledge)
    assert len(outcome.problems) == 30
    report = plain_text(reload_reply(outcome))
    assert "Not reloaded: 30 problem(s)" in report and "and 10 more" in report


async def test_a_review_published_by_a_reload_is_announced_once(
    knowledge: Path, engine: Engine, tmp_path: Path
) -> None:
    store = SqliteStore(tmp_path / "bot.sqlite3")
    sender = FakeSender()
    announcer = Announcer(store, sender, sleep=FakeSleep())
    await announcer.run(engine.view())  # first start: baseline
    await store.subscribe(9, "partnership:lscpb")
    write_reviews(knowledge, [review("child-w", "Child W", [published_doc("child-w-report", "2026-11-30")])])

    outcome = reload(engine, knowledge)
    assert outcome.new_items == {"review:child-w", "document:child-w-report"}
    assert "2 newly visible item(s)" in plain_text(reload_reply(outcome))
    await announcer.run(engine.view())
    assert reload(engine, knowledge).new_items == frozenset()  # reloading the same files again
    await announcer.run(engine.view())
    await store.close()
    assert [(chat, reply.entries) for chat, reply in sender.sent] == [(9, ("child-w",))]


async def test_sighup_triggers_the_reload_callback() -> None:
    loop = asyncio.get_running_loop()
    called = asyncio.Event()

    async def on_hangup() -> None:
        called.set()

    assert install_sighup(loop, on_hangup)
    try:
        os.kill(os.getpid(), signal.SIGHUP)
        await asyncio.wait_for(called.wait(), timeout=30)
    finally:
        loop.remove_signal_handler(signal.SIGHUP)
    assert called.is_set()


async def test_a_failing_sighup_reload_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    loop = asyncio.get_running_loop()
    attempted = asyncio.Event()

    async def on_hangup() -> None:
        attempted.set()
        raise RuntimeError("boom")

    assert install_sighup(loop, on_hangup)
    try:
        os.kill(os.getpid(), signal.SIGHUP)
        await asyncio.wait_for(attempted.wait(), timeout=30)
        for _ in range(3):
            await asyncio.sleep(0)  # let the task finish and log
    finally:
        loop.remove_signal_handler(signal.SIGHUP)
    assert "reload on SIGHUP failed" in caplog.text


async def test_remove_sighup_undoes_the_handler_once() -> None:
    loop = asyncio.get_running_loop()

    async def on_hangup() -> None:
        return None

    assert install_sighup(loop, on_hangup)
    assert remove_sighup(loop) is True
    assert remove_sighup(loop) is False  # nothing left to remove
