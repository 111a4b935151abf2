"""Packages whose ``__init__`` only re-exports, loaded without running it.

``import presidio_analyzer`` runs ``predefined_recognizers/__init__.py``, which imports every
recognizer of every country (phonenumbers, and each class's ``Pattern`` list compiled to check
it): about a third of the package's import, measured, for the four generic recognizers and the
spaCy one anon uses. ``faker/__init__.py`` imports ``faker.config``, which imports every provider
package to list the locales, when anon reads two French providers' lists. :func:`install` puts a
finder first on ``sys.meta_path`` that loads such a package (and, when asked, its sub-packages)
without running its ``__init__``: each name the ``__init__`` would bind (``from .x import Name``,
``NAME = ...``) is bound the first time it is read, by the very import or expression the
``__init__`` holds, so ``from presidio_analyzer.predefined_recognizers import EmailRecognizer`` gives
the same class. An ``__init__`` holding any other statement, or that cannot be read, runs as usual.
"""

from __future__ import annotations

import importlib
import sys
import types
from importlib.machinery import ModuleSpec, PathFinder
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ast

#: package -> whether its sub-packages are loaded lazily too
ROOTS: dict[str, bool] = {}


def _absolute(package: str, node: ast.ImportFrom) -> str:
    """The module a ``from ... import`` of ``package``'s ``__init__`` names."""
    if not node.level:
        return node.module or ""
    base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
    return f"{base}.{node.module}" if node.module else base


def bindings(package: str, source: str) -> dict[str, tuple[str, str | None, object]] | None:
    """What ``source`` (a package's ``__init__``) binds: name -> ("import", module, attribute) or
    ("expr", None, compiled expression). None when it holds another kind of statement."""
    import ast

    out: dict[str, tuple[str, str | None, object]] = {}
    for i, node in enumerate(ast.parse(source).body):
        if isinstance(node, ast.ImportFrom):
            module = _absolute(package, node)
            for alias in node.names:
                if alias.name == "*":
                    return None
                out[alias.asname or alias.name] = ("import", module, alias.name)
        elif isinstance(node, ast.Expr) and i == 0 and isinstance(node.value, ast.Constant):
            continue  # the docstring
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            expr = ast.Expression(node.value)
            out[node.targets[0].id] = ("expr", None, compile(expr, f"<{package}>", "eval"))
        else:
            return None
    return out


class _Names(dict):
    """The names an ``__init__``'s expression reads, resolved through the lazy module."""

    def __init__(self, module: types.ModuleType) -> None:
        super().__init__()
        self.module = module

    def __missing__(self, name: str) -> object:
        return getattr(self.module, name)


def _lazy(module: types.ModuleType, table: dict[str, tuple[str, str | None, object]]) -> None:
    """Make ``module`` bind each name of ``table`` on first read."""

    def __getattr__(name: str) -> object:
        entry = table.get(name)
        if entry is None:
            raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")
        kind, source, what = entry
        if kind == "import":
            imported = importlib.import_module(source)  # type: ignore[arg-type]
            value = getattr(imported, what) if hasattr(imported, what) else importlib.import_module(f"{source}.{what}")
        else:
            value = eval(what, {"__builtins__": __builtins__}, _Names(module))  # noqa: S307 - the package's own code
        setattr(module, name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(module.__dict__) | set(table))

    module.__getattr__ = __getattr__  # type: ignore[attr-defined]
    module.__dir__ = __dir__  # type: ignore[attr-defined]


def _managed(fullname: str) -> bool:
    if fullname in ROOTS:
        return True
    return any(deep and fullname.startswith(root + ".") for root, deep in ROOTS.items())


class LazyInit:
    """Finds the packages of ``ROOTS`` as the path finder does, their loader binding names on
    first read instead of running the ``__init__`` (modules, not packages, load as usual)."""

    def find_spec(self, fullname: str, path=None, target=None) -> ModuleSpec | None:
        if not _managed(fullname):
            return None
        spec = PathFinder.find_spec(fullname, path)
        loader = spec.loader if spec is not None else None
        if (spec is None or spec.submodule_search_locations is None or spec.origin is None
                or loader is None or not hasattr(loader, "exec_module") or not hasattr(loader, "get_source")):
            return None  # let the other finders answer as they would have
        real_exec = loader.exec_module

        def exec_module(module: types.ModuleType) -> None:
            try:
                table = bindings(fullname, loader.get_source(fullname) or "")
            except Exception:  # noqa: BLE001 - unreadable: the usual import
                table = None
            if table is None:
                real_exec(module)
            else:
                _lazy(module, table)

        loader.exec_module = exec_module  # type: ignore[method-assign]  # this spec's loader only
        return spec


def install(package: str, *, subpackages: bool = False) -> None:
    """Load ``package`` (and its sub-packages when asked) lazily from now on, unless it is already
    imported: puts the finder first on ``sys.meta_path`` once."""
    if package in sys.modules or package in ROOTS:
        return
    ROOTS[package] = subpackages
    if not any(isinstance(f, LazyInit) for f in sys.meta_path):
        sys.meta_path.insert(0, LazyInit())
