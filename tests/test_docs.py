"""The README tells the truth: the two commands first, every setting documented, CI runs it."""

import re

from geo.settings import PROJECT_ROOT, Settings

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme():
    for name, field in Settings.model_fields.items():
        env_name = "DATABASE_URL" if name == "database_url" else f"SAFETY_MAP_{name.upper()}"
        assert env_name in README, env_name
        assert field.description, name


def test_readme_opens_with_the_two_commands():
    first_block = re.search(r"```(?:sh|bash)?\n(.*?)```", README, re.S).group(1).split("\n")
    commands = [line for line in first_block if line.strip() and not line.startswith("#")]
    assert commands == ["make demo", "make test"]


def test_ci_runs_the_readme_test_command():
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
