"""The shape of the code: no two packages of `app/` import each other, directly or round a
longer loop, so each can be read, tested and changed from the ones it depends on alone."""

import ast
from collections import defaultdict

from app.core.config import PROJECT_ROOT

APP = PROJECT_ROOT / "app"
# Plans still ends a plan's sharing when it is restored without it, and logs the restore,
# by calling into sharing and the access log. Issue 21 (part 2) turns these round; then
# this set is emptied.
BEING_REMOVED = {("plans", "sharing"), ("plans", "access_log")}


def _package_imports() -> dict[str, set[str]]:
    """Which other `app` packages each package imports, anywhere in its modules (inside
    functions too: an import put off until a call is still a dependency)."""
    packages = {path.name for path in APP.iterdir() if (path / "__init__.py").is_file()}
    imports: dict[str, set[str]] = defaultdict(set)
    for module in APP.rglob("*.py"):
        parts = module.relative_to(APP).parts
        if len(parts) < 2:  # app/main.py and app/models.py put the packages together
            continue
        for node in ast.walk(ast.parse(module.read_text(), str(module))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                top, _, rest = name.partition(".")
                imported = rest.partition(".")[0]
                if top == "app" and imported in packages and imported != parts[0]:
                    imports[parts[0]].add(imported)
    return imports


def _cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    """Each loop of packages importing each other, once, as the path round it."""
    found: list[list[str]] = []
    seen: set[frozenset[str]] = set()

    def walk(path: list[str]) -> None:
        for imported in sorted(imports.get(path[-1], ())):
            if imported == path[0]:
                if frozenset(path) not in seen:
                    seen.add(frozenset(path))
                    found.append([*path, imported])
            elif imported not in path and imported > path[0]:
                walk([*path, imported])

    for package in sorted(imports):
        walk([package])
    return found


def test_no_package_of_the_app_imports_another_that_imports_it_back():
    imports = _package_imports()
    for importer, imported in BEING_REMOVED:
        imports[importer].discard(imported)
    assert _cycles(imports) == []


def test_the_cycle_finder_finds_a_loop_however_long():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_the_access_log_depends_on_nothing_that_writes_to_it():
    """Sharing, statements, comments, suggestions and the crisis card all write the log."""
    writers = {"sharing", "statements", "comments", "suggestions", "crisis_card"}
    assert _package_imports()["access_log"] & writers == set()


def test_what_is_left_to_turn_round_is_still_there():
    """Once plans no longer imports these, empty BEING_REMOVED so no new loop can hide."""
    imports = _package_imports()
    assert {(importer, imported) for importer, imported in BEING_REMOVED} <= {
        (importer, imported) for importer, targets in imports.items() for imported in targets
    }
