"""deploy/prometheus and deploy/grafana: the alert rules are valid (promtool checks them and runs their
unit tests when Debian's prometheus package is installed, else their YAML structure is checked), the
alerts the issue asks for exist, and every series the rules and the dashboard query is one the code
exports."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

from themeconfig.platform import metrics

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"
DASHBOARD = ROOT / "deploy" / "grafana" / "theme-config-dashboard.json"
_SERIES = re.compile(r"\btheme_config_[a-z_]+")
_SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum")}


def exported_series() -> set[str]:
    """What a scrape can show: every series declared in metrics.py (with its type's suffixes) and every
    registered scrape-time gauge, plus the exporter's own two."""
    names = {"theme_config_scrape_query_success", "theme_config_scrape_query_duration_seconds"}
    for value in vars(metrics).values():
        if isinstance(value, MetricWrapperBase):
            names.update(value._name + suffix for suffix in _SUFFIXES[value._type])
    names.update(gauge.name for gauge in metrics.scrape_gauges())
    return names


def rules() -> list[dict]:
    document = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def dashboard_expressions() -> list[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [target["expr"] for panel in panels for target in panel.get("targets", [])]


@pytest.mark.skipif(shutil.which("promtool") is None, reason="Debian's prometheus package (promtool) is not installed")
def test_promtool__rules_valid__their_unit_tests_pass__config_valid():
    for args in (["check", "rules", "alerts.yml"], ["test", "rules", "alerts.test.yml"],
                 ["check", "config", "--syntax-only", "prometheus.yml"]):
        result = subprocess.run(["promtool", *args], cwd=PROMETHEUS, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, (args, result.stdout, result.stderr)


def test_alert_rules__structure__the_issue_s_alerts_present():
    found = rules()
    for rule in found:
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule
        assert rule["alert"] and rule["expr"].strip(), rule
        assert rule["labels"]["severity"] in ("warning", "critical"), rule
        assert rule["annotations"]["summary"], rule
        assert re.fullmatch(r"\d+[smh]", rule.get("for", "0s")), rule
    exprs = {rule["alert"]: rule["expr"] for rule in found}
    assert "theme_config_read_model_lag_seconds" in exprs["ThemeConfigReadModelLag"]
    assert exprs["ThemeConfigReadModelLag"].rstrip().endswith("> 5")  # the seed's 5 s
    assert "theme_config_outbox_oldest_pending_age_seconds" in exprs["ThemeConfigOutboxBacklog"]
    assert 'state="dead_lettered"' in exprs["ThemeConfigOutboxDeadLetters"]
    assert 'outcome="failed"' in exprs["ThemeConfigJobsFailing"]
    assert 'status=~"5.."' in exprs["ThemeConfigHigh5xxRate"]


def test_rules_and_dashboard__query_only_series_the_code_exports():
    exported = exported_series()
    used = {name for expr in [r["expr"] for r in rules()] + dashboard_expressions() for name in _SERIES.findall(expr)}
    assert used, "no theme_config_ series found in the rules or the dashboard"
    assert used <= exported, f"queried but never exported: {sorted(used - exported)}"
    # And the dashboard shows every series there is (a new one gets a panel).
    shown = {name for expr in dashboard_expressions() for name in _SERIES.findall(expr)}
    bases = {re.sub(r"_(bucket|count|sum)$", "", name) for name in exported}
    assert all(any(s.startswith(base) for s in shown) for base in bases), sorted(
        base for base in bases if not any(s.startswith(base) for s in shown))
