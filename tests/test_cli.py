"""The command line: subcommands listed, errors as one clear line, exit codes."""

import contextlib
import io
import os
import subprocess
import sys

from geo import cli
from geo.settings import PROJECT_ROOT, get_settings


def run_geo(*args, database_url=None, env_extra=None, module="geo", in_process=False):
    """`python -m geo ARGS` on `database_url` as a user runs it: its exit code, stdout and stderr.
    `in_process` runs the same command line in this process (main() with the environment and
    settings it would have), which saves an interpreter's start and imports (about 2 s) where a
    test runs many commands."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFETY_MAP_")}
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(env_extra or {})
    if in_process:
        assert module == "geo"
        return _run_in_process(list(args), env)
    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def _run_in_process(argv: list[str], env: dict) -> subprocess.CompletedProcess:
    saved = dict(os.environ)
    out, err = io.StringIO(), io.StringIO()
    os.environ.clear()
    os.environ.update(env)
    get_settings.cache_clear()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(argv)
            except SystemExit as leaving:  # argparse refusing the arguments
                code = leaving.code if isinstance(leaving.code, int) else 1
    finally:
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()
    return subprocess.CompletedProcess(["geo", *argv], code, out.getvalue(), err.getvalue())


def assert_one_line_error(result, fragment):
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert fragment in lines[0]


def test_help_lists_the_subcommands():
    result = run_geo("--help")
    assert result.returncode == 0
    for command in ("db", "migrate", "check-topology", "counts", "risk", "import", "geocode", "users", "audit"):
        assert command in result.stdout
    demo_help = run_geo("--help", module="data.demo").stdout
    assert "simulate" in demo_help and "--scale" in demo_help
    assert "--points" in run_geo("--help", module="bench").stdout
    db_help = run_geo("db", "--help").stdout
    for action in ("start", "stop", "status", "url"):
        assert action in db_help


def test_unreachable_database_is_one_clear_line():
    result = run_geo("counts", database_url="postgresql://nobody@127.0.0.1:1/none")
    assert_one_line_error(result, "cannot connect")


def test_unknown_scale_is_refused_by_the_parser():
    result = run_geo("--scale", "planet", module="data.demo")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_demo_on_a_database_with_a_city_is_refused(demo_db):
    result = run_geo("--scale", "small", "--as-of", "2026-11-24", database_url=demo_db, module="data.demo")
    assert_one_line_error(result, "already holds a city")


def test_demo_if_empty_leaves_an_existing_city_alone(demo_db):
    result = run_geo("--scale", "small", "--if-empty", database_url=demo_db, module="data.demo")
    assert result.returncode == 0 and "nothing generated" in result.stdout


def test_check_topology_passes_on_the_demo_city(demo_db):
    result = run_geo("check-topology", database_url=demo_db)
    assert result.returncode == 0, result.stdout
    assert "gaps: 0" in result.stdout and "overlaps: 0" in result.stdout and "outside: 0" in result.stdout


def test_db_commands_refuse_when_database_url_is_set(demo_db):
    result = run_geo("db", "stop", database_url=demo_db)
    assert_one_line_error(result, "DATABASE_URL is set")


def test_counts_prints_every_level(demo_db):
    result = run_geo("counts", database_url=demo_db)
    assert result.returncode == 0
    for layer in ("city", "county", "township", "community", "grid_basic", "micro_grid", "building", "case"):
        assert layer in result.stdout
