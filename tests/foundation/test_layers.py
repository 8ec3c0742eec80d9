"""The layers of the code: core knows no feature, and features import one way only.

A feature may import the models and the public modules of the features in the layers
below its own, never those of its own layer or above (lazy imports inside functions and
TYPE_CHECKING imports included). Features of one layer meet through hooks (signals,
registries) that the lower one offers.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = [
    {"orgs"},
    {"auth", "events", "members"},
    {"invitations"},
    {"rsvp"},
    {"checkin", "followups", "surveys"},
    {"partners", "reports"},
    {"dashboard", "privacy", "site"},
]
ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete"}
LAYER_OF = {feature: i for i, layer in enumerate(LAYERS) for feature in layer}


def _imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
            found += [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return found


def _features_imported(path: Path) -> set[str]:
    return {name.split(".")[1] for name in _imports(path) if name.startswith("blueprints.")}


def test_every_feature_has_a_layer():
    features = {p.name for p in (ROOT / "blueprints").iterdir() if (p / "__init__.py").exists()}
    assert features == set(LAYER_OF)


def test_core_imports_no_feature():
    offenders = {
        str(path.relative_to(ROOT)): sorted(_features_imported(path))
        for path in (ROOT / "core").glob("*.py")
        if _features_imported(path)
    }
    assert offenders == {}


def test_features_import_only_from_the_layers_below():
    offenders = []
    for path in sorted((ROOT / "blueprints").glob("*/**/*.py")):
        feature = path.relative_to(ROOT / "blueprints").parts[0]
        for other in _features_imported(path) - {feature}:
            if LAYER_OF[other] >= LAYER_OF[feature]:
                offenders.append(f"{path.relative_to(ROOT)} imports {other}")
    assert offenders == []


def test_the_check_sees_a_lazy_import(tmp_path):
    """The walk finds an import inside a function too (what the rule above relies on)."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from blueprints.rsvp import seats\n", encoding="utf-8")
    assert _features_imported(sample) == {"rsvp"}


def test_files_and_routes_stay_small():
    """Files under ~500 lines, routes under ~30 (decorators apart): split along the seams."""
    big, long_routes = [], []
    for path in sorted(ROOT.glob("**/*.py")):
        if path.relative_to(ROOT).parts[0] in (".venv", "migrations", "tests", "bench"):
            continue
        source = path.read_text(encoding="utf-8")
        if source.count("\n") > 500:
            big.append(str(path.relative_to(ROOT)))
        for node in ast.walk(ast.parse(source)):
            routes = [
                d
                for d in getattr(node, "decorator_list", [])
                if isinstance(d, ast.Call) and getattr(d.func, "attr", "") in ROUTE_DECORATORS
            ]
            too_long = isinstance(node, ast.FunctionDef) and node.end_lineno - node.lineno >= 30
            if routes and too_long:
                long_routes.append(f"{path.relative_to(ROOT)}:{node.name}")
    assert big == [] and long_routes == []
