"""Rules of where things live that review used to catch, checked on the source (AST, no imports):
error codes are spelled only in an app's errors module, and doors read models through selectors.
"""
from __future__ import annotations

import ast
import re

from tests.conftest import ROOT

APPS = ("themeconfig", "publishing", "ai_workspace")
# Where error codes are defined: each app's errors module, and the core codes of the platform.
ERROR_MODULES = {"themeconfig/errors.py", "themeconfig/platform/errors.py", "publishing/errors.py",
                 "ai_workspace/errors.py"}
ERROR_CODE = re.compile(r"^MELMASTOON(\.[A-Z0-9_]+){2,}$")


def source_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in relative:
                yield relative, ast.parse(path.read_text(), filename=relative)


def code_literals(tree: ast.AST) -> list[tuple[int, str]]:
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and ERROR_CODE.match(node.value)]


def test_error_codes__spelled_only_in_an_apps_errors_module():
    offenders = [f"{path}:{line} {code}" for path, tree in source_files() if path not in ERROR_MODULES
                 for line, code in code_literals(tree)]
    assert not offenders, "use the app's error code enum (errors.py) instead of a literal:\n" + "\n".join(offenders)


def test_error_codes__the_scan_sees_a_literal_code():
    # The rule above passes on an empty scan too: make sure a literal code is what it finds.
    assert code_literals(ast.parse('raise DomainError("MELMASTOON.RESOURCE.NOT_FOUND", "x")')) == [
        (1, "MELMASTOON.RESOURCE.NOT_FOUND")]
    assert code_literals(ast.parse('help = "answers MELMASTOON.THEME.CONFLICT when stale"')) == []


# Doors: API views, admin pages and actions, tasks, management commands, public views.
DOORS = ("themeconfig/apis/", "themeconfig/admin/", "themeconfig/admin_site.py", "themeconfig/operator_admin/",
         "themeconfig/tasks.py", "themeconfig/management/commands/", "publishing/apis.py", "publishing/views.py",
         "publishing/webhook_apis.py", "publishing/admin.py", "publishing/tenant_admin.py", "publishing/tasks.py",
         "publishing/approval_apis.py", "publishing/tenant_admin_approval.py",
         "publishing/management/commands/", "ai_workspace/apis.py", "ai_workspace/admin/", "ai_workspace/tasks.py")
# Doors that may still use a manager, each with why; keep this list short.
MANAGER_ALLOWED = {
    # The stale-job sweep reads every tenant's jobs on the service connection; it moves with the job
    # machinery into platform/jobs (issue 19 item 3), where the reaper is one function for all kinds.
    "publishing/tasks.py",
}


def manager_uses(tree: ast.AST) -> list[int]:
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr == "objects"]


def test_doors__read_models_through_selectors__no_manager_in_a_door():
    offenders = [f"{path}:{line}" for path, tree in source_files()
                 if path.startswith(DOORS) and path not in MANAGER_ALLOWED for line in manager_uses(tree)]
    assert not offenders, "read through a selector (selectors/) instead of Model.objects:\n" + "\n".join(offenders)


def test_doors__the_scan_sees_a_manager_and_every_door_exists():
    assert manager_uses(ast.parse("x = LocalePack.objects.filter(theme_version_id=v)")) == [1]
    assert manager_uses(ast.parse("x = type(version).objects.get(pk=1)")) == [1]
    assert all((ROOT / door).exists() for door in DOORS)  # a moved door would silently leave the scan
