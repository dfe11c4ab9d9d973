"""`bench`: its arithmetic, its baselines' inputs, and a quick end-to-end run writing valid JSON (no timings)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from kb_builders import FIXTURE_KNOWLEDGE

import bot.tools.bench
from bot.kb.loader import load_knowledge
from bot.kb.visibility import as_london, public_view
from bot.tools.bench import (
    choices,
    e2e_missing,
    parse_sizes,
    percentile,
    speedups,
    summarise_ms,
    table,
    targets,
    time_each,
)

ROOT = Path(__file__).parent.parent
NOW = as_london(dt.datetime(2026, 11, 25, 12))


def test_percentile_is_nearest_rank() -> None:
    values = list(range(1, 101))
    assert percentile(values, 0.99) == 99
    assert percentile(values, 0.5) == 50
    assert percentile([7.0], 0.99) == 7.0
    assert percentile([1.0, 100.0], 0.99) == 100.0


def test_summary_is_in_milliseconds() -> None:
    stats = summarise_ms([1_000_000, 2_000_000, 3_000_000], repeats=2)
    assert stats == {"median_ms": 2.0, "p99_ms": 3.0, "mean_ms": 2.0, "max_ms": 3.0, "questions": 3, "repeats": 2}


def test_time_each_runs_every_question_every_pass_and_summarises_both_ways() -> None:
    asked: list[str] = []
    passes: list[int] = []
    stats = time_each(asked.append, ["a", "b", "c"], repeats=4, before_pass=lambda: passes.append(1))
    assert asked == ["a", "b", "c"] * 4 and len(passes) == 4
    assert stats["questions"] == 3 and stats["repeats"] == 4 and stats["per_question"] == "best of passes"
    assert stats["median_ms"] <= stats["of_medians"]["median_ms"]
    assert stats["p99_ms"] <= stats["of_medians"]["p99_ms"]


def test_sizes_are_sorted_unique_positive_and_capped_when_quick() -> None:
    assert parse_sizes("5000,1000,1000", quick=False) == [1000, 5000]
    assert parse_sizes("1000,5000", quick=True) == [30]
    assert parse_sizes("10", quick=True) == [10]
    with pytest.raises(ValueError):
        parse_sizes("0,100", quick=False)


def _latency(engine: float, wratio: float, difflib: float) -> dict[str, Any]:
    return {
        name: {"median_ms": v / 2, "p99_ms": v}
        for name, v in (("engine", engine), ("wratio", wratio), ("difflib", difflib))
    }


def test_speedups_divide_baseline_by_engine() -> None:
    assert speedups(_latency(1.0, 25.0, 40.0)) == {
        "wratio_median": 25.0,
        "wratio_p99": 25.0,
        "difflib_median": 40.0,
        "difflib_p99": 40.0,
    }


def _size(synthetic: int, p99: float, load: float, rss: float) -> dict[str, Any]:
    latency = _latency(p99, p99 * 20, p99 * 30)
    return {
        "synthetic_reviews": synthetic,
        "label": f"+{synthetic}" if synthetic else "real",
        "visible_reviews": synthetic + 4,
        "latency": latency,
        "speedup": speedups(latency),
        "load_index": {"total_s": load},
        "memory": {"rss_peak_mb": rss, "tracemalloc_peak_mb": rss / 2},
        "accuracy": {"accuracy": 0.9},
    }


def test_targets_are_judged_at_5000_and_say_when_missed() -> None:
    sizes = [_size(0, 0.5, 0.01, 40), _size(5000, 3.0, 0.5, 300), _size(9000, 1.0, 0.1, 50)]
    judged = {t["id"]: t for t in targets(sizes, {"available": False, "reason": "n/a"})}
    assert judged["p99"]["met"] is False and judged["p99"]["value"] == 3.0
    assert "+5000" in judged["p99"]["name"]
    assert judged["speedup"]["met"] is True
    assert judged["load"]["met"] is True
    assert judged["memory"]["met"] is False
    assert judged["e2e"]["met"] is None


def test_table_shows_every_size_and_every_target() -> None:
    report: dict[str, Any] = {
        "machine": {"nproc": 2, "cpu": "X", "python": "3.11"},
        "now": "2026-11-25T12:00:00+00:00",
        "sizes": [_size(0, 0.5, 0.01, 40), _size(5000, 1.0, 0.5, 90)],
        "e2e": {"available": False, "reason": "not available: no fake"},
    }
    for size in report["sizes"]:
        size["e2e"] = report["e2e"]
    report["targets"] = targets(report["sizes"], report["e2e"])
    text = table(report)
    assert "real" in text and "+5000" in text and "not available: no fake" in text
    assert text.count("[MET ]") == 4 and text.count("[n/a ]") == 1


def test_baseline_choices_cover_names_aliases_and_intent_phrases() -> None:
    view = public_view(load_knowledge(FIXTURE_KNOWLEDGE), NOW)
    phrases = choices(view)
    review = view.reviews[0]
    assert review.name in phrases and set(review.aliases) <= set(phrases)
    assert {p for i in view.intents for p in i.phrases} <= set(phrases)
    assert {p.short_name for p in view.partnerships} <= set(phrases)


def test_end_to_end_says_what_is_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(bot.tools.bench, "E2E_FILES", (tmp_path / "nowhere" / "bot_api.py",), raising=True)
    monkeypatch.setattr(bot.tools.bench, "ROOT", tmp_path)
    reason = e2e_missing()
    assert reason is not None and reason.startswith("not available") and "bot_api.py" in reason


def test_quick_bench_runs_end_to_end_and_writes_valid_json(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "bench",
            "--quick",
            "--sizes",
            "12",
            "--json",
            str(out),
            "--now",
            "2026-11-25T12:00",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert {"machine", "sizes", "e2e", "targets", "now", "quick", "elapsed_s"} <= set(report)
    assert report["quick"] is True and report["now"].startswith("2026-11-25T12:00")
    assert [s["label"] for s in report["sizes"]] == ["real", "+12"]
    for size in report["sizes"]:
        assert {"load_index", "memory", "latency", "accuracy", "speedup"} <= set(size)
        assert {"engine", "wratio", "difflib"} <= set(size["latency"])
        assert size["latency"]["engine"]["questions"] == 40
        assert 0.0 <= size["accuracy"]["accuracy"] <= 1.0
    assert report["sizes"][1]["reviews"] == report["sizes"][0]["reviews"] + 12
    assert len(report["targets"]) == 5
    e2e = report["sizes"][0]["e2e"]
    assert e2e["available"] is (e2e_missing() is None)
    if e2e["available"]:
        assert e2e["refused"] == 0 and min(e2e["echo_rps"], e2e["replay_rps"], e2e["bot_rps"]) > 0
        assert report["e2e"] == report["sizes"][-1]["e2e"]
    assert "knowledge" in result.stdout and "[real] load+index" in result.stderr
