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


def _environ(node) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ"
            and isinstance(node.value, ast.Name) and node.value.id == "os")


def _reads_a_variable(node) -> bool:
    """`os.environ.get(..)`, `os.environ[..]`, `os.getenv(..)`; handing the whole environment
    to a child process (`{**os.environ}`) reads no variable."""
    if isinstance(node, ast.Subscript) and _environ(node.value):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return ((node.func.attr == "get" and _environ(node.func.value))
                or (node.func.attr == "getenv" and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "os"))
    return False


def _readers(folder: str) -> set[str]:
    """Files under ``folder`` reading an environment variable, themselves or through
    `common.config.env`/`secret` (which take any variable's name)."""
    found = set()
    for path in (ROOT / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            through_config = (isinstance(node, ast.ImportFrom) and node.module == "common.config"
                              and {a.name for a in node.names} & {"env", "secret"})
            if _reads_a_variable(node) or through_config:
                found.add(str(path.relative_to(ROOT)))
    return found


def test_common_and_the_services_read_the_environment_only_in_common_config():
    assert _readers("common") | _readers("services") == {"common/config.py"}


def test_the_developers_tools_read_the_environment_in_one_module_each():
    assert _readers("devstack") <= {"devstack/infra/paths.py"}
    assert _readers("operations") == set()
    # bench/monitoring is not the bench's: it is loaded into each service process it starts,
    # and the environment is the only way the bench can tell it where to write its counts.
    assert len(_readers("bench") - _readers("bench/monitoring")) <= 1, _readers("bench")
    assert len(_readers("bench/monitoring")) <= 1, _readers("bench/monitoring")
