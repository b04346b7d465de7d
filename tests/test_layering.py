"""Imports run one way (STYLE.md "Layout"): vipdesk/lib → vipdesk/alerts → vipdesk/tasks →
accounts → tickets → escalations → vipdesk/insight and vipdesk/demo → vipdesk's URLs, settings
and job schedule. A module may import its own layer and the layers below it, never
one above; and no project import hides inside a function (the way to dodge a cycle).

The modules are parsed, not imported, so the test sees every import statement."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("vipdesk", "accounts", "tickets", "escalations")

# Lowest first; a module belongs to the first (longest) prefix that matches it.
LAYERS = [
    ("vipdesk.lib",),
    ("vipdesk.alerts",),
    ("vipdesk.tasks",),
    ("accounts",),
    ("tickets",),
    ("escalations",),
    ("vipdesk.insight", "vipdesk.demo"),
    ("vipdesk",),
]


def layer_of(module: str) -> int | None:
    best, best_len = None, -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    return best


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def imports(tree: ast.AST, module: str):
    """(imported module, line, inside a function?) for every import statement."""
    package = module.rpartition(".")[0]

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name, child.lineno, in_function
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in child.names:
                    yield f"{base}.{alias.name}", child.lineno, in_function
            yield from visit(child, nested)

    yield from visit(tree, False)


def violations() -> list[str]:
    found = []
    for path in project_modules():
        module = module_name(path)
        own = layer_of(module)
        tree = ast.parse(path.read_text(), filename=str(path))
        for target, line, in_function in imports(tree, module):
            theirs = layer_of(target)
            if theirs is None:
                continue  # Django, the standard library, other packages
            where = f"{path.relative_to(ROOT)}:{line} imports {target}"
            if theirs > own:
                found.append(f"{where} (a higher layer)")
            elif in_function and path.name != "apps.py":
                found.append(f"{where} inside a function")
    return found


def test_no_module_imports_a_higher_layer_or_hides_an_import_in_a_function():
    assert violations() == []


def test_it_ranks_the_layers_bottom_up():
    assert layer_of("vipdesk.lib.locks") < layer_of("vipdesk.alerts.raising")
    assert layer_of("vipdesk.alerts.models") < layer_of("vipdesk.tasks.models")
    assert layer_of("vipdesk.tasks.models") < layer_of("accounts.models")
    assert layer_of("accounts.scoring") < layer_of("tickets.routing.rules")
    assert layer_of("tickets.models") < layer_of("escalations.models")
    assert layer_of("escalations.models") < layer_of("vipdesk.insight.board")
    assert layer_of("vipdesk.insight.board") < layer_of("vipdesk.urls")
    assert layer_of("django.db") is None


def test_it_catches_an_upward_import_and_an_import_hidden_in_a_function():
    tree = ast.parse(
        "from escalations.models import Escalation\n"
        "def f():\n"
        "    from accounts.models import Account\n"
    )
    found = list(imports(tree, "accounts.features"))
    assert found == [
        ("escalations.models.Escalation", 1, False),
        ("accounts.models.Account", 3, True),
    ]
    assert layer_of(found[0][0]) > layer_of("accounts.features")
