"""The import contracts of pyproject.toml ([tool.importlinter]) hold on the tree, and really fail on
a bad import, even one hidden inside a function: each case runs `lint-imports` on a copy of the
apps with one import added there.

A subprocess in the copy's directory: this interpreter has imported the real apps already, and
grimp finds packages through the import system.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))
APPS = ("themeconfig", "publishing", "ai_workspace", "config")


def lint_imports(cwd: Path, *contracts: str) -> subprocess.CompletedProcess:
    selected = [arg for contract in contracts for arg in ("--contract", contract)]
    return subprocess.run([LINT_IMPORTS, "--no-cache", "--no-logo", *selected], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory) -> Path:
    """The apps, the contracts and the contract type of tests/architecture, copied (no tests, no data)."""
    copy = tmp_path_factory.mktemp("tree")
    for app in APPS:
        shutil.copytree(ROOT / app, copy / app, ignore=shutil.ignore_patterns("__pycache__", "static", "templates"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    (copy / "tests").mkdir()
    (copy / "tests" / "__init__.py").write_text("")
    shutil.copytree(ROOT / "tests" / "architecture", copy / "tests" / "architecture",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_contracts__the_tree_as_it_is__all_kept():
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


def test_contracts__the_untouched_copy__all_kept(tree_copy):
    # The baseline for the cases below: the copy alone breaks nothing, so their failures are the import's.
    run = lint_imports(tree_copy)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


# (module file, the import hidden in a function there, the contracts it must break, the import as reported)
CASES = {
    "a service imports a task module": (
        "publishing/services/publish.py", "from publishing import tasks",
        ["services-never-import-tasks", "no-cycles"], "publishing.services.publish -> publishing.tasks"),
    "a read model imports the tasks (the cycle that was)": (
        "publishing/resolve/read_models.py", "from publishing.tasks import refresh_read_models_task",
        ["services-never-import-tasks", "no-cycles"], "publishing.resolve.read_models -> publishing.tasks"),
    "an AI service imports its tasks": (
        "ai_workspace/services/generation.py", "import ai_workspace.tasks",
        ["services-never-import-tasks", "layers"], "ai_workspace.services.generation -> ai_workspace.tasks"),
    "themeconfig imports publishing": (
        "themeconfig/services/themes.py", "from publishing import outbox",
        ["themeconfig-is-the-core"], "themeconfig.services.themes -> publishing.outbox"),
    "themeconfig imports the AI workspace": (
        "themeconfig/selectors/themes.py", "import ai_workspace.models",
        ["themeconfig-is-the-core"], "themeconfig.selectors.themes -> ai_workspace.models"),
    "an app imports config": (
        "themeconfig/apis/core.py", "from config.celery import app",
        ["config-is-wiring"], "themeconfig.apis.core -> config.celery"),
    "publishing reaches past themeconfig's public surface": (
        "publishing/bundles/build.py", "from themeconfig.admin.themes import ThemeAdmin",
        ["themeconfig-public-surface"], "publishing.bundles.build -> themeconfig.admin.themes"),
    "a model imports a service": (
        "ai_workspace/models.py", "from ai_workspace.services import drafts",
        ["layers"], "ai_workspace.models -> ai_workspace.services.drafts"),
    "publishing imports the AI workspace": (
        "publishing/outbox/relay.py", "import ai_workspace.selectors",
        ["apps-independent"], "publishing.outbox.relay -> ai_workspace.selectors"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_contracts__an_import_hidden_in_a_function__broken(tree_copy, case):
    path, statement, contracts, named = CASES[case]
    module = tree_copy / path
    original = module.read_text()
    module.write_text(f"{original}\n\ndef _hidden_import():\n    {statement}  # noqa\n")
    try:
        outputs = []
        for contract in contracts:
            run = lint_imports(tree_copy, contract)
            assert run.returncode == 1, f"{contract} kept with `{statement}` in {path}:\n{run.stdout[-3000:]}"
            outputs.append(run.stdout)
        # The report names the import (with its line, past the end of the original: in the function).
        line = original.count("\n") + 4
        assert any(f"{named} (l.{line})" in out for out in outputs), "\n".join(outputs)[-4000:]
    finally:
        module.write_text(original)
