"""The synthetic knowledge generator: deterministic, unmistakably synthetic, and loadable beside a real base (the
fixture knowledge, whose theme and term ids it references)."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from kb_builders import FIXTURE_KNOWLEDGE

from bot.kb.loader import DEFAULT_KNOWLEDGE_DIR, load_knowledge
from bot.kb.visibility import as_london, public_view
from bot.tools.generate import HOST, Spec, generate, known_ids, main, write

ANCHOR = dt.date(2026, 3, 1)
THEMES, TYPES = known_ids(FIXTURE_KNOWLEDGE)
SPEC = Spec(400, seed=7, anchor=ANCHOR, themes=THEMES, review_types=TYPES)


@pytest.fixture(scope="module")
def files() -> dict[str, dict[str, list[dict[str, Any]]]]:
    return generate(SPEC)


def _reviews(files: dict[str, dict[str, list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    return [r for content in files.values() for r in content.get("reviews", [])]


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _bytes(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def test_same_seed_writes_the_same_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    write(SPEC, tmp_path / "a")
    write(SPEC, tmp_path / "b")
    write(Spec(400, seed=8, anchor=ANCHOR, themes=THEMES, review_types=TYPES), tmp_path / "c")
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")
    assert _bytes(tmp_path / "a") != _bytes(tmp_path / "c")


def test_writes_the_requested_number_of_reviews_in_chunks(tmp_path: Path) -> None:
    paths = write(Spec(250, seed=1, anchor=ANCHOR, per_file=100, themes=THEMES, review_types=TYPES), tmp_path)
    review_files = [p for p in paths if "reviews" in p.name]
    assert len(review_files) == 3
    loaded = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in review_files]
    assert sum(len(d["reviews"]) for d in loaded) == 250


def test_every_entry_is_marked_synthetic(files: dict[str, dict[str, list[dict[str, Any]]]]) -> None:
    assert all(r["synthetic"] is True for r in _reviews(files))
    urls = [s for s in _strings(files) if s.startswith("http")]
    assert urls and all(u.startswith(HOST + "/") for u in urls)
    partnerships = files["synthetic-partnerships.yaml"]["partnerships"]
    assert all(p["name"].startswith("Synthetic ") and p["home"] is False for p in partnerships)
    statements = files["synthetic-statements.yaml"]["statements"]
    assert statements and all(s["summary"].startswith("Synthetic") for s in statements)


def test_every_publication_status_appears_with_embargoes_on_both_sides(
    files: dict[str, dict[str, list[dict[str, Any]]]],
) -> None:
    docs = [(r, d) for r in _reviews(files) for d in r["documents"]]
    assert {d["status"] for _, d in docs} == {"published", "embargoed", "withheld", "withdrawn"}
    moments = [d["publish_on"] for _, d in docs if d["status"] == "embargoed"]
    anchor = dt.datetime.combine(ANCHOR, dt.time())
    assert any(m > anchor for m in moments) and any(m < anchor for m in moments)
    for review, doc in docs:
        if doc["status"] == "withheld":
            target = next(d for d in review["documents"] if d["id"] == doc["instead"])
            assert doc["reason"] and target["status"] == "published"


def test_names_recur_across_partnerships_but_not_within_one(
    files: dict[str, dict[str, list[dict[str, Any]]]],
) -> None:
    where: dict[str, list[str]] = defaultdict(list)
    for review in _reviews(files):
        where[review["name"]].append(review["partnership"])
    assert any(len(set(ps)) > 1 for ps in where.values())
    assert all(len(ps) == len(set(ps)) for ps in where.values())
    assert any(name.startswith("Baby ") for name in where) and any(" " not in name for name in where)


def test_references_use_the_real_theme_and_term_ids(files: dict[str, dict[str, list[dict[str, Any]]]]) -> None:
    reviews = _reviews(files)
    assert {t for r in reviews for t in r["themes"]} <= set(THEMES)
    assert {r["review_type"] for r in reviews} <= set(TYPES)
    assert {"lcspr", "scr"} <= {r["review_type"] for r in reviews}


def test_loads_beside_the_real_knowledge_and_embargoes_hide_reviews(tmp_path: Path) -> None:
    real = load_knowledge(FIXTURE_KNOWLEDGE)
    shutil.copytree(FIXTURE_KNOWLEDGE, tmp_path / "kb")
    write(Spec(120, seed=3, anchor=ANCHOR, themes=THEMES, review_types=TYPES), tmp_path / "kb" / "synthetic")
    kb = load_knowledge(tmp_path / "kb")
    assert len(kb.reviews) == len(real.reviews) + 120
    assert sum(r.synthetic for r in kb.reviews) == 120
    assert not any(r.synthetic for r in real.reviews)
    assert sum(not p.home for p in kb.partnerships) > sum(not p.home for p in real.partnerships)
    view = public_view(kb, as_london(dt.datetime.combine(ANCHOR, dt.time(12))))
    assert len(real.reviews) < len(view.reviews) < len(kb.reviews)


def test_command_line_writes_files_and_refuses_the_knowledge_directory(tmp_path: Path) -> None:
    assert main(["--reviews", "10", "--seed", "2", "--knowledge", str(FIXTURE_KNOWLEDGE), str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "synthetic-partnerships.yaml",
        "synthetic-reviews-001.yaml",
        "synthetic-statements.yaml",
    ]
    with pytest.raises(SystemExit):
        main(["--reviews", "10", str(DEFAULT_KNOWLEDGE_DIR / "synthetic")])
    assert not (DEFAULT_KNOWLEDGE_DIR / "synthetic").exists()
