"""`./scripts/run` repairs an interrupted install instead of failing with ModuleNotFoundError forever.

Run on a tiny stand-in project (the real script, a package that only says it ran), so the test installs
seconds' worth rather than the bot's dependencies."""

from __future__ import annotations

import shutil
import subprocess
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "stand-in-bot"
version = "0"

[tool.setuptools]
packages = ["bot"]
"""


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts" / "run", project / "scripts" / "run")
    (project / "pyproject.toml").write_text(PYPROJECT)
    (project / "bot").mkdir()
    (project / "bot" / "__init__.py").write_text("")
    (project / "bot" / "__main__.py").write_text("import sys\nprint('ran', *sys.argv[1:])\n")
    return project


def _run(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "scripts/run", "--now", "x"], cwd=project, capture_output=True, text=True, timeout=300, check=False
    )


def test_an_interrupted_install_is_repaired_on_the_next_run(tmp_path: Path) -> None:
    project = _project(tmp_path)
    venv.create(project / ".venv", with_pip=True)  # the venv exists, the package was never installed
    result = _run(project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ran run --now x"
    assert (project / ".venv" / ".installed").exists()


def test_a_complete_install_is_not_repeated(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert _run(project).returncode == 0
    again = _run(project)
    assert again.returncode == 0 and "Installing" not in again.stderr
