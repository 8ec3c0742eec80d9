"""Every benchmark still imports against the code it measures (a renamed module would
otherwise break it silently: the suite never runs them), lazy imports included, and what
the benchmarks take from each other (bench/_serve.py: the server and the runs)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
OURS = ("app", "config", "extensions", "core", "blueprints", "demo", "tests")


@pytest.mark.parametrize("path", sorted(BENCH.glob("*.py")), ids=lambda p: p.name)
def test_every_import_of_the_benchmark_resolves(path, app, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))  # as when a benchmark runs
    siblings = {p.stem for p in BENCH.glob("*.py")}
    checked = 0
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.ImportFrom) and node.module):
            continue
        if node.module.split(".")[0] in (*OURS, *siblings):
            module = importlib.import_module(node.module)
            for alias in node.names:
                assert hasattr(module, alias.name) or importlib.import_module(
                    f"{node.module}.{alias.name}"
                ), f"{path.name}: from {node.module} import {alias.name}"
                checked += 1
    assert checked > 0 or path.name.startswith("_")  # a helper of the benchmarks may not
