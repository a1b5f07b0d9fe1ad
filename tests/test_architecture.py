"""The product apps' imports point one way: read from the source, imports inside functions too."""

import ast
from pathlib import Path

PRODUCT_APPS = (
    "pagecache", "articles", "desk", "subscriptions", "newsroom", "wordpress", "audience",
)  # fmt: skip
ROOT = Path(__file__).resolve().parent.parent


def _module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _product_modules():
    modules = {}
    for app in PRODUCT_APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[_module_name(path)] = path
    return modules


def _imported_names(path, module):
    """Every module an import statement names, wherever in the file it stands."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            yield base
            # "from package import module" imports that module.
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _import_graph():
    modules = _product_modules()
    return {
        module: {name for name in _imported_names(path, module) if name in modules} - {module}
        for module, path in modules.items()
    }


def _cycles(graph):
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _imports_from(app, others):
    """Each "module -> module" import from the app ``app`` into one of the apps ``others``."""
    return {
        f"{module} -> {target}"
        for module, targets in _import_graph().items()
        if module.split(".")[0] == app
        for target in targets
        if target.split(".")[0] in others
    }


def test_articles_imports_nothing_from_subscriptions():
    assert _imports_from("articles", {"subscriptions"}) == set()


def test_articles_imports_nothing_from_the_desk():
    assert _imports_from("articles", {"desk"}) == set()


def test_the_page_cache_knows_no_product_app():
    product = {"articles", "desk", "subscriptions", "wordpress", "audience"}
    assert _imports_from("pagecache", product) == set()


def test_articles_knows_nothing_of_the_wordpress_import():
    assert _imports_from("articles", {"wordpress"}) == set()


def test_audience_depends_on_articles_never_the_reverse():
    assert _imports_from("articles", {"audience"}) == set()
    assert _imports_from("subscriptions", {"audience"}) == set()
    assert _imports_from("audience", {"articles"})


def test_no_import_cycle_among_product_modules():
    assert _cycles(_import_graph()) == []


def test_the_import_graph_sees_imports_inside_functions():
    # subscriptions.apps imports subscriptions.paywall inside ready() only.
    assert "subscriptions.paywall" in _import_graph()["subscriptions.apps"]
