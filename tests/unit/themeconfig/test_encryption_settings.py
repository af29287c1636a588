"""Production settings: no start without encryption keys (one line saying why); database TLS with a CA file."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

KEY = "RDk1y6-cbcbNF1n2NUtXZqR4M3dlsRZUN0_BBqpUHmE="
PRINT_DATABASES = ("from django.conf import settings; import json; "
                   "print(json.dumps({a: d['OPTIONS'] for a, d in settings.DATABASES.items()}, default=str))")


def production(code: str, **env_vars: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("FIELD_ENCRYPTION_KEYS", "DATABASE_SSLMODE", "DATABASE_SSLROOTCERT")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.production", DJANGO_SECRET_KEY="s" * 60,
               DJANGO_ALLOWED_HOSTS="themes.example.com", **env_vars)
    return subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True)


@pytest.mark.parametrize("keys", [None, "", "not-a-key", f"{KEY},short"])
def test_production__no_or_bad_encryption_keys__refuses_to_start_with_one_line(keys):
    result = production("print('started')", **({} if keys is None else {"FIELD_ENCRYPTION_KEYS": keys}))
    assert result.returncode == 1 and "started" not in result.stdout
    assert len(result.stderr.strip().splitlines()) == 1 and "FIELD_ENCRYPTION_KEYS" in result.stderr


def test_production__verify_full_with_ca_file__every_alias_verifies(tmp_path):
    ca = tmp_path / "root.crt"
    ca.write_text("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
    result = production(PRINT_DATABASES, FIELD_ENCRYPTION_KEYS=KEY, DATABASE_SSLMODE="verify-full",
                        DATABASE_SSLROOTCERT=str(ca))
    assert result.returncode == 0, result.stderr
    options = json.loads(result.stdout.strip().splitlines()[-1])
    assert options and all(o["sslmode"] == "verify-full" and o["sslrootcert"] == str(ca) for o in options.values())


def test_production__sslmode_and_ca_in_the_url__win_over_the_defaults(tmp_path):
    ca = tmp_path / "url-root.crt"
    ca.write_text("x")
    result = production(PRINT_DATABASES, FIELD_ENCRYPTION_KEYS=KEY,
                        DATABASE_URL=f"postgres://app@db.example.com/theme_config?sslmode=verify-full&sslrootcert={ca}")
    assert result.returncode == 0, result.stderr
    options = json.loads(result.stdout.strip().splitlines()[-1])
    assert options["default"]["sslmode"] == "verify-full" and options["default"]["sslrootcert"] == str(ca)
    assert options["service"]["sslmode"] == "require" and "sslrootcert" not in options["service"]


def test_production__missing_ca_file__refuses_to_start_with_one_line(tmp_path):
    result = production("print('started')", FIELD_ENCRYPTION_KEYS=KEY, DATABASE_SSLMODE="verify-full",
                        DATABASE_SSLROOTCERT=str(tmp_path / "absent.crt"))
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "DATABASE_SSLROOTCERT" in result.stderr
