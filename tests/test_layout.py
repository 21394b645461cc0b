"""The import rules of the layout (style guide, habit 1 and 9), checked on every module so the
tree cannot drift: imports go one way, dashboard -> geo -> geo.db; the demo (`data`) and the
benchmarks (`bench`) sit beside the product and the product never imports them."""

import ast
from pathlib import Path

from geo.settings import PROJECT_ROOT

# package prefix of the importing module -> top-level packages (or geo sub-packages) it may not import
FORBIDDEN = {
    "geo": ("dashboard", "data", "bench"),
    "dashboard": ("data", "bench"),
}
# geo.db and geo.shared sit below every feature: they import only these parts of geo.
LOWER_LAYERS = {
    "geo.db": ("geo.db", "geo.settings", "geo.errors"),
    "geo.shared": ("geo.db", "geo.settings", "geo.errors", "geo.shared", "geo.clock"),
}


def imported_modules(path: Path) -> set[str]:
    """Every module a source file imports, at its top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # the most specific name: `from geo import clock` is geo.clock
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def violations(root: Path = PROJECT_ROOT) -> list[str]:
    """Each import that breaks a rule, as 'module imports target'."""
    found = []
    for top in ("geo", "dashboard"):
        for path in sorted((root / top).rglob("*.py")):
            name = ".".join(path.relative_to(root).with_suffix("").parts)
            for target in sorted(imported_modules(path)):
                if _breaks_rule(name, target):
                    found.append(f"{name} imports {target}")
    return found


def _breaks_rule(module: str, target: str) -> bool:
    top = target.split(".")[0]
    if any(module.startswith(prefix) and top in banned for prefix, banned in FORBIDDEN.items()):
        return True
    for layer, allowed in LOWER_LAYERS.items():
        inside = module == layer or module.startswith(layer + ".")
        if inside and top == "geo" and not any(target == a or target.startswith(a + ".") for a in allowed):
            return True
    return False


def test_the_product_follows_the_import_rules():
    assert violations() == []


def test_the_rules_catch_a_reverse_import(tmp_path):
    """A control: the checker does find each kind of broken rule."""
    for relative, source in {
        "geo/map/bad.py": "from dashboard import context\n",
        "geo/risk/lazy.py": "def f():\n    import data.demo\n",
        "dashboard/pages/bad.py": "from bench.browser import settle\n",
        "geo/db/bad.py": "from geo.map import heat\n",
        "geo/shared/bad.py": "from geo.risk.model import compute\n",
    }.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    assert len(violations(tmp_path)) == 5, violations(tmp_path)


def test_benchmarks_and_the_demo_live_outside_the_product():
    for top in ("geo", "dashboard"):
        assert not list((PROJECT_ROOT / top).rglob("*bench*.py")), f"a benchmark inside {top}/"
    queries = PROJECT_ROOT / "geo" / "db" / "queries"
    assert not [p.name for p in queries.rglob("*.sql") if p.name.startswith(("bench_", "simulate_"))]


def test_queries_sit_in_feature_folders_and_every_named_query_exists():
    queries = PROJECT_ROOT / "geo" / "db" / "queries"
    assert not list(queries.glob("*.sql")), "a query outside the feature folders of geo/db/queries/"
    folders = {path.name for path in queries.iterdir() if path.is_dir()}
    named = set()
    for top in ("geo", "dashboard"):
        for path in (PROJECT_ROOT / top).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and "/" in node.value:
                    folder, _, name = node.value.partition("/")
                    if folder in folders and name.isidentifier() and not name.endswith("_"):  # not an f-string head
                        named.add(node.value)
    assert len(named) > 100  # the scan does see the query names
    assert [name for name in sorted(named) if not (queries / f"{name}.sql").exists()] == []
