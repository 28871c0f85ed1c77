"""Dependencies between Clinlead's parts go one way: foundation, then domains, then reports
(docs/contributing.md, "Layers").

Every `import` in the package counts, at the top of a module or inside a function: an import
moved into a function still ties the two apps together (it only hides the tie from Python until
the function runs). Only imports under `if TYPE_CHECKING:` (annotations) do not count. A lower
app that must tell a higher one sends a signal instead.
"""

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "clinlead"

# Lowest first. A part may import parts in lower layers, and parts of its own layer unless the
# layer is marked independent; never a higher layer.
LAYERS = [
    # Foundation: plain modules (no models), then the audit trail, the organisation chart, and
    # logins with the access rules (and the foundation's own pages, which apply them).
    ("plain modules", False, {"sealing", "tabular", "validation", "charts", "pdf", "frontend",
                              "logging", "mailfiles", "discovery", "custody", "exports", "todos",
                              "analytics", "actions", "dates", "service_errors", "unsealing",
                              "deployment", "health", "backups"}),
    ("audit", False, {"audit"}),
    ("notifications", False, {"notifications"}),
    ("org", False, {"org"}),
    ("accounts", False, {"accounts"}),
    # Domains.
    ("surveys", False, {"surveys"}),
    ("leaderindex", False, {"leaderindex"}),
    ("development and selection", True, {"development", "selection"}),
    ("succession", False, {"succession"}),
    # Reports.
    ("evaluation", False, {"evaluation"}),
    # Data-subject requests: a person's data is spread over every domain.
    ("subjects", False, {"subjects"}),
    # The site: settings, URLs and the command line put the parts together.
    ("site", False, {"settings", "settings_production", "urls", "wsgi", "cli", "__main__",
                 "api"}),
]
LAYER_OF = {part: index for index, (_, _, parts) in enumerate(LAYERS) for part in parts}
INDEPENDENT = {index for index, (_, independent, _) in enumerate(LAYERS) if independent}

# Modules of one part that still import each other (the list only shrinks).
KNOWN_MODULE_CYCLES = [
    {"clinlead.surveys.services", "clinlead.surveys.tasks"},
]


def module_name(path, package=PACKAGE):
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def part_of(module):
    """"clinlead.org.models" -> "org"; "clinlead.sealing" -> "sealing"; None outside Clinlead."""
    names = module.split(".")
    return names[1] if names[0] == "clinlead" and len(names) > 1 else None


FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def imports(path, package=PACKAGE):
    """(imported module, line, inside a function?) for every import in the file."""
    module, tree = module_name(path, package), ast.parse(path.read_text(), filename=str(path))
    parent = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            if _type_checking_only(child):  # `if TYPE_CHECKING:` imports for annotations
                continue
            inside = in_function or isinstance(child, FUNCTIONS)
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = parent.split(".")[: len(parent.split(".")) - (child.level - 1)]
                    base = ".".join(anchor + ([child.module] if child.module else []))
                found.append((base, child.lineno, in_function))
                found.extend((f"{base}.{alias.name}", child.lineno, in_function)
                             for alias in child.names)
            visit(child, inside)

    visit(tree, False)
    return found


def _type_checking_only(node):
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Name | ast.Attribute):
        return False
    return ast.unparse(node.test).endswith("TYPE_CHECKING")


def modules():
    return {module_name(path): path for path in PACKAGE.rglob("*.py")}


def part_imports():
    """{(from part, to part): ["file:line ..."]} for imports between different parts."""
    edges = defaultdict(dict)
    for module, path in modules().items():
        source = part_of(module)
        for target, line, in_function in imports(path):
            destination = part_of(target)
            if source and destination and destination != source:
                where = f"{path.relative_to(PACKAGE.parent)}:{line}"  # `from a import b`: a, once
                edges[source, destination].setdefault(
                    where, f"{where}{' (in a function)' if in_function else ''} imports {target}")
    return {edge: list(lines.values()) for edge, lines in edges.items()}


def cycles(graph):
    """The strongly connected groups of more than one node (Tarjan)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in list(graph):
        if node not in index:
            visit(node)
    return groups


def test_every_part_of_clinlead_has_a_layer():
    parts = {part_of(module) for module in modules()} - {None}
    assert parts - set(LAYER_OF) == set(), "add the new part to LAYERS (and docs/contributing.md)"
    assert set(LAYER_OF) - parts == set(), "remove the part that no longer exists from LAYERS"


def test_no_part_imports_a_part_above_it_or_an_independent_neighbour():
    wrong = []
    for (source, destination), where in sorted(part_imports().items()):
        upward = LAYER_OF[destination] > LAYER_OF[source]
        neighbour = LAYER_OF[destination] == LAYER_OF[source] and LAYER_OF[source] in INDEPENDENT
        if upward or neighbour:
            wrong.append(f"{source} may not import {destination} (layer "
                         f"'{LAYERS[LAYER_OF[destination]][0]}'):\n    " + "\n    ".join(where))
    assert not wrong, "\n".join(wrong)


def test_parts_do_not_import_each_other_in_a_circle():
    graph = defaultdict(set)
    for source, destination in part_imports():
        graph[source].add(destination)
    assert cycles(graph) == []


def test_the_modules_of_a_part_do_not_import_each_other_in_a_circle():
    known = modules()
    graph = defaultdict(set)
    for module, path in known.items():
        for target, _, _ in imports(path):
            if target in known and target != module and part_of(target) == part_of(module):
                graph[module].add(target)
    found = cycles(graph)
    assert [group for group in found if group not in KNOWN_MODULE_CYCLES] == []
    assert [group for group in KNOWN_MODULE_CYCLES if group not in found] == [], \
        "a known cycle is gone: take it off KNOWN_MODULE_CYCLES"


def test_the_check_sees_imports_inside_functions(tmp_path):
    """The check itself: a function-level import is as much an import as one at the top."""
    source = tmp_path / "clinlead" / "org" / "views.py"
    source.parent.mkdir(parents=True)
    source.write_text("def page():\n    from clinlead.evaluation.models import Metric\n")
    found = [(target, inside) for target, _, inside in imports(source, tmp_path / "clinlead")]
    assert ("clinlead.evaluation.models.Metric", True) in found


def test_no_module_imports_by_name_at_run_time():
    """`importlib.import_module(f"clinlead.{app}...")` hides a dependency from the checks above
    (and made apps that always ship look optional). Apps' demo data and menus are found by
    `clinlead.discovery`, with Django's `autodiscover_modules`."""
    hidden = []
    for path in modules().values():
        for node in ast.walk(ast.parse(path.read_text())):
            name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
            if name in {"import_module", "__import__", "find_spec", "import_string"}:
                hidden.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} uses {name}")
    assert hidden == []
