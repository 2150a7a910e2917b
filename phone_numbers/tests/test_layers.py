"""Phone numbers stand below the provisioning engine (DESIGN.md): only the number pages and the
add-a-number forms call up into it; every other module of the app, lazily or not, does not."""

import ast
from pathlib import Path

import phone_numbers

APP = Path(phone_numbers.__file__).parent
# The web layer of /numbers/: ordering, searching the carrier, the carrier panel.
CALLS_THE_ENGINE = {"views.py", "order_forms.py"}


def provisioning_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [f"{path.relative_to(APP)}:{node.lineno} {name}" for name in names]
    return [line for line in found if line.split()[-1].split(".")[0] == "provisioning"]


def test_only_the_number_pages_import_the_engine() -> None:
    modules = [
        path
        for path in APP.rglob("*.py")
        if {"tests", "migrations"}.isdisjoint(path.relative_to(APP).parts)
    ]
    assert len(modules) > 15  # the walk found the app
    below = [path for path in modules if path.relative_to(APP).as_posix() not in CALLS_THE_ENGINE]

    assert [line for path in below for line in provisioning_imports(path)] == []
    assert provisioning_imports(APP / "views.py")  # the pages do call it: the rule is live
