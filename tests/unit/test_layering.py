"""Who may import whom at the top of the house: the operator's CLI stands without the
developer's launcher, and `common/` names no service."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imported(folder: str) -> dict[str, set[str]]:
    """Every module each file under ``folder`` imports (top level or inside a function)."""
    found = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


def _offenders(folder: str, forbidden: str) -> dict[str, list[str]]:
    return {path: sorted(n for n in names if n == forbidden or n.startswith(f"{forbidden}."))
            for path, names in _imported(folder).items()
            if any(n == forbidden or n.startswith(f"{forbidden}.") for n in names)}


def test_the_operators_cli_never_imports_the_developers_launcher():
    assert _offenders("operations", "devstack") == {}


def test_common_names_no_service():
    """The services build on `common`; what `common` needs of them is handed in."""
    assert _offenders("common", "services") == {}
    # Nor by a module name in a string (importlib); a `services.x` in a docstring is prose.
    mentioned = [path for path in (ROOT / "common").rglob("*.py")
                 if "services." in path.read_text().replace("`services.", "")]
    assert mentioned == []
