"""The package's shape: data flows one way through its modules, and no module is too long to read."""

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "mtdetect"
MAX_LINES = 400
# The only modules at the top of the package: the CLI, the pipeline's two shared steps (text,
# align), what every detector returns (results) and the output policy; everything else lives in
# the subpackage of its stage (README, "How it works").
TOP_LEVEL = {"__init__", "__main__", "cli", "text", "align", "results", "outputs"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, modules: set[str]) -> set[str]:
    """The package's modules `path` imports, at top level or inside a function (a deferred import is
    still a dependency: it only hides a loop until the function runs)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            candidates = [target] + [f"{target}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            candidates = [a.name for a in node.names]
        else:
            continue
        out |= {c for c in candidates if c in modules and c != name}
    return out


def import_graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: imported_modules(path, set(files)) for name, path in files.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import loop (as a path that returns to its start), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt.startswith(node + "."):
                continue  # a package importing its own submodules is not a loop
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_find_cycle_sees_a_loop_and_a_clean_graph():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_reads_relative_and_deferred_imports():
    graph = import_graph()
    assert "mtdetect.detect.reference" in graph["mtdetect.cli"] or any("mtdetect.detect.reference" in graph[m] for m in graph)
    assert "mtdetect.features" in graph["mtdetect.detect.reference"]
    assert "mtdetect.bench.run" in graph["mtdetect.bench"]


def test_no_import_loop():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import loop: " + " -> ".join(cycle)


def test_top_level_holds_only_the_named_modules():
    extra = {p.stem for p in PACKAGE.glob("*.py")} - TOP_LEVEL
    assert not extra, f"modules at the top of mtdetect/ that belong in a stage's subpackage: {sorted(extra)}"


def test_no_module_over_400_lines():
    long = {str(p.relative_to(PACKAGE.parent)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_training_scripts_share_one_preamble():
    """training/_common.py holds the path set-up and the parser; every script runs with it."""
    scripts = sorted(p for p in (PACKAGE.parent / "training").glob("*.py") if p.name != "_common.py")
    assert len(scripts) >= 5
    for path in scripts:
        src = path.read_text(encoding="utf-8")
        assert "from _common import" in src, path.name
        assert "sys.path.insert" not in src and "ArgumentParser(" not in src, f"{path.name} repeats the preamble"
    runs = [subprocess.Popen([sys.executable, str(p), "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for p in scripts]
    for path, proc in zip(scripts, runs):
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0 and out.startswith("usage:"), f"{path.name} --help: {err[-500:]}"


def test_readme_module_map_names_every_module():
    """README, "How it works": every module of the package is named in the map."""
    import re

    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("## How it works", 1)[1].split("```", 2)[1]
    named = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", block))
    missing = sorted(module_name(p) for p in PACKAGE.rglob("*.py")
                     if p.stem != "__init__" and p.stem not in named and p.parent.name != "__pycache__")
    assert not missing, f"modules the README's map does not name: {missing}"
