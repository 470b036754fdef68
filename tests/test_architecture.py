"""The packages of `app` depend on each other one way only: no import cycle between them
(ARCHITECTURE.md has the map). Checked from the source, so an import inside a function or
under TYPE_CHECKING counts too."""

import ast
from pathlib import Path

APP = Path(__file__).parents[1] / "app"
PACKAGES = sorted(p.name for p in APP.iterdir() if (p / "__init__.py").is_file())


def _imported_packages(source: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "app" and len(parts) > 1 and parts[1] in PACKAGES:
                found.add(parts[1])
    return found


def package_imports() -> dict[str, set[str]]:
    """Each package and the other packages its modules import."""
    return {
        package: {
            imported
            for source in (APP / package).rglob("*.py")
            for imported in _imported_packages(source)
            if imported != package
        }
        for package in PACKAGES
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every package that can reach itself, with the path it takes."""
    found = []
    for start in sorted(graph):
        paths = [[start, then] for then in sorted(graph[start])]
        seen = set()
        while paths:
            path = paths.pop()
            if path[-1] == start:
                found.append(path)
                break
            if path[-1] in seen:
                continue
            seen.add(path[-1])
            paths.extend(path + [then] for then in sorted(graph.get(path[-1], ())))
    return found


def test_no_two_packages_import_each_other():
    assert cycles(package_imports()) == []


def test_the_check_finds_a_cycle():
    graph = {"plans": {"core"}, "sharing": {"plans"}, "core": {"sharing"}}
    assert cycles(graph) == [
        ["core", "sharing", "plans", "core"],
        ["plans", "core", "sharing", "plans"],
        ["sharing", "plans", "core", "sharing"],
    ]
    assert cycles({"plans": {"core"}, "sharing": {"plans", "core"}, "core": set()}) == []


def test_the_check_reads_every_package():
    assert {"core", "plans", "sharing", "statements", "exports", "sync"} <= set(PACKAGES)
    assert "core" in package_imports()["plans"]
