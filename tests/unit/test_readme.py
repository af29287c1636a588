"""The README tells an operator how to run what it documents."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def _section(title: str) -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def test_readme_operator_commands__say_which_python__the_virtualenv_the_setup_script_creates():
    interpreter = ".venv/bin/python"
    assert f'"$ROOT/{interpreter}"' in (ROOT / "scripts" / "ensure_env.sh").read_text()
    assert f"`{interpreter} manage.py <command>`" in _section("Operator commands")
