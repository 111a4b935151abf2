"""spaCy imported without its command line.

``spacy/__init__.py`` runs ``from .cli.info import info``, and ``spacy.cli``'s package imports
every command: weasel, httpx, typer, jinja2, requests, pygments (0.15 CPU s of the ~0.5 s that
``import spacy`` costs, measured). Neither anon nor Presidio uses spaCy's command line: a run
that loads the NER model only needs the library. :func:`install` puts a finder first on
``sys.meta_path`` that, the first time ``spacy`` is imported, runs its ``__init__`` with
stand-ins for ``spacy.cli`` and ``spacy.cli.info`` and removes them as soon as it returns, so
a later ``import spacy.cli`` is the real one; ``spacy.info`` forwards to the real command.
Should a spaCy version need more of its ``cli`` while importing, the package is imported again
without stand-ins (the result is then the usual one).
"""

from __future__ import annotations

import sys
import types
from importlib.machinery import ModuleSpec, PathFinder

_STUBS = ("spacy.cli", "spacy.cli.info")


def info(*args, **kwargs):
    """``spacy.info``: the real command, imported when called."""
    from spacy.cli.info import info as real

    return real(*args, **kwargs)


def _stubs() -> dict[str, types.ModuleType]:
    cli = types.ModuleType("spacy.cli", "stand-in while spacy/__init__ runs (anonymizer.detect.light_spacy)")
    cli_info = types.ModuleType("spacy.cli.info")
    cli_info.info = info  # type: ignore[attr-defined]
    cli.info = cli_info  # type: ignore[attr-defined]
    return {"spacy.cli": cli, "spacy.cli.info": cli_info}


def _remove(stubs: dict[str, types.ModuleType], module: types.ModuleType) -> None:
    for name, stub in stubs.items():
        if sys.modules.get(name) is stub:
            del sys.modules[name]
    if getattr(module, "cli", None) is stubs["spacy.cli"]:
        delattr(module, "cli")


class SpacyWithoutCli:
    """Finds ``spacy`` as the path finder does, its loader running ``__init__`` with the stand-ins
    (a meta path finder needs only ``find_spec``: importlib.abc, 15 ms to import, is not needed)."""

    def find_spec(self, fullname: str, path=None, target=None) -> ModuleSpec | None:
        if fullname != "spacy":
            return None
        if self in sys.meta_path:  # once: what follows is spaCy's own business
            sys.meta_path.remove(self)
        spec = PathFinder.find_spec(fullname, path)
        loader = spec.loader if spec is not None else None
        if loader is None or not hasattr(loader, "exec_module"):
            return None  # let the other finders answer as they would have
        real_exec = loader.exec_module

        def exec_module(module: types.ModuleType) -> None:
            stubs = _stubs()
            for name, stub in stubs.items():
                sys.modules.setdefault(name, stub)
            try:
                real_exec(module)
            except Exception:  # noqa: BLE001 - this spaCy needs its cli while importing: the usual import
                _remove(stubs, module)
                real_exec(module)
            finally:
                _remove(stubs, module)

        loader.exec_module = exec_module  # type: ignore[method-assign]  # this spec's loader only
        return spec


def install() -> None:
    """Put the finder first on ``sys.meta_path`` unless spaCy is already imported (or it is there)."""
    if "spacy" in sys.modules or any(isinstance(f, SpacyWithoutCli) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, SpacyWithoutCli())
