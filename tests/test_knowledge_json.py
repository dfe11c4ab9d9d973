"""Knowledge written as JSON (machine-generated files) loads by the fast path with the same checks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from kb_builders import FIXTURE_KNOWLEDGE

from bot.kb.loader import load_knowledge
from bot.kb.problems import KnowledgeInvalid

THEME = {
    "id": "json-theme",
    "name": "A theme written as JSON",
    "summary": "Test entry.",
    "sources": ["https://example.org/source"],
    "checked": "2026-11-25",
}


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "knowledge"
    shutil.copytree(FIXTURE_KNOWLEDGE, directory)
    return directory


def test_a_json_file_loads_like_yaml(kb_dir: Path) -> None:
    (kb_dir / "extra.yaml").write_text("# generated\n" + json.dumps({"themes": [THEME]}, indent=1), encoding="utf-8")
    kb = load_knowledge(kb_dir)
    assert any(t.id == "json-theme" and t.checked.isoformat() == "2026-11-25" for t in kb.themes)


def test_a_problem_in_a_json_file_still_names_its_line(kb_dir: Path) -> None:
    bad = {**THEME, "checked": "2026-13-01"}
    text = json.dumps({"themes": [bad]}, indent=1)
    (kb_dir / "extra.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeInvalid) as caught:
        load_knowledge(kb_dir)
    (problem,) = caught.value.problems
    assert (problem.file, problem.key) == ("extra.yaml", "themes[0].checked")
    expected = next(i for i, line in enumerate(text.splitlines(), 1) if '"checked"' in line)
    assert problem.line == expected == 10


def test_a_duplicate_key_in_json_is_reported_by_the_yaml_path(kb_dir: Path) -> None:
    text = '{"themes": [], "themes": []}'
    (kb_dir / "extra.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeInvalid) as caught:
        load_knowledge(kb_dir)
    assert [p.message for p in caught.value.problems] == ["duplicate key"]
