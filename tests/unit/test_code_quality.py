"""The tree stays lint-clean (ruff, configured in pyproject.toml)."""
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def test_ruff__whole_tree__clean():
    ruff = shutil.which("ruff", path=str(ROOT / ".venv" / "bin")) or shutil.which("ruff")
    if ruff is None:
        pytest.fail("ruff is a dev dependency: pip install -e '.[dev]'")
    result = subprocess.run([ruff, "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_migrations__models_and_migration_state__agree():
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"], cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0 and "No changes detected" in result.stdout, result.stdout + result.stderr


def test_dependencies__point_one_way__themeconfig_imports_neither_publishing_nor_ai_workspace():
    import re

    pattern = re.compile(r"^\s*(from|import)\s+(publishing|ai_workspace)\b", re.M)
    offenders = [str(path.relative_to(ROOT)) for path in (ROOT / "themeconfig").rglob("*.py")
                 if pattern.search(path.read_text())]
    assert not offenders, offenders
