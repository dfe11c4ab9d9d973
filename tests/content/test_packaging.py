"""The wheel carries the default knowledge base: installed outside the checkout, the bot answers from it."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding only the built wheel; its dependencies are borrowed from this environment
    through a plain path entry (no editable finder of the checkout is activated that way)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"  # only what a wheel is built from: no build/ or egg-info left by earlier builds
    shutil.copytree(ROOT / "bot", source / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    dist = work / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
        cwd=work,
    )
    wheels = list(dist.glob("*.whl"))
    assert len(wheels) == 1, wheels
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    target = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(target) / "borrowed_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", str(wheels[0])],
        check=True,
    )
    return env_dir


def _run(env_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"KNOWLEDGE_DIR", "PYTHONPATH", "VIRTUAL_ENV"}}
    return subprocess.run(
        [env_dir / "bin" / "reviews-bot", *args], capture_output=True, text=True, cwd=cwd, env=environment, timeout=120
    )


def test_the_installed_wheel_answers_from_its_packaged_knowledge(installed: Path, tmp_path: Path) -> None:
    result = _run(installed, "ask", "child e", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Child E" in result.stdout


def test_the_installed_wheel_reads_knowledge_inside_site_packages_not_the_checkout(
    installed: Path, tmp_path: Path
) -> None:
    result = _run(installed, "check", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    checked = result.stdout.strip().splitlines()[-1]
    assert str(installed) in checked
    assert str(ROOT / "bot") not in checked


def test_the_installed_wheel_carries_the_learned_model(installed: Path, tmp_path: Path) -> None:
    code = "from bot.nlu.learned import MODEL_PATH as p, shipped_model as m; print(p); print(m() is not None)"
    result = subprocess.run(
        [installed / "bin" / "python", "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert result.returncode == 0, result.stderr
    path, loaded = result.stdout.split()
    assert path.startswith(str(installed)) and loaded == "True"
