"""Packages loaded without running their ``__init__`` (anonymizer.lazy_init): every name the
``__init__`` binds is the same object as after the usual import (its reference: the package's own
``__init__``, run by an interpreter without the finder), the packages a run does not name are not
imported, and an ``__init__`` holding other statements runs as usual. Each check runs in a fresh
interpreter, the way a run imports them."""

from __future__ import annotations

import json
import subprocess
import sys

from anonymizer.lazy_init import bindings

PRESIDIO = "presidio_analyzer.predefined_recognizers"
#: every name each package's __init__ binds, described by what it is (a class: module.qualname;
#: a list or a dict: its items described), read from the lazy module or the usual one
DESCRIBE = """
import importlib, json, pkgutil, sys
def describe(v):
    if isinstance(v, type):
        return v.__module__ + '.' + v.__qualname__
    if isinstance(v, dict):
        return {k: describe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [describe(x) for x in v]
    return repr(v)
def names(pkg):
    src = importlib.util.find_spec(pkg).loader.get_source(pkg)
    from anonymizer.lazy_init import bindings
    return sorted(bindings(pkg, src) or ())
out = {}
for pkg in PACKAGES:
    mod = importlib.import_module(pkg)
    out[pkg] = {n: describe(getattr(mod, n)) for n in names(pkg)}
print(json.dumps({'names': out, 'loaded': sorted(m for m in WATCH if m in sys.modules)}))
"""
SUBPACKAGES = [PRESIDIO, f"{PRESIDIO}.generic", f"{PRESIDIO}.nlp_engine_recognizers", f"{PRESIDIO}.country_specific",
               f"{PRESIDIO}.country_specific.india", f"{PRESIDIO}.country_specific.us", "faker"]


def _run(code: str) -> dict:
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def _describe(install: bool, packages: list[str], watch: tuple[str, ...] = ()) -> dict:
    setup = ("from anonymizer import lazy_init\n"
             f"lazy_init.install({PRESIDIO!r}, subpackages=True)\nlazy_init.install('faker')\n") if install else ""
    return _run(setup + f"PACKAGES = {packages!r}\nWATCH = {watch!r}\n" + DESCRIBE)


def test_every_name_is_the_one_the_usual_import_binds():
    lazy, usual = _describe(True, SUBPACKAGES), _describe(False, SUBPACKAGES)
    assert lazy["names"] == usual["names"]
    assert len(lazy["names"][PRESIDIO]) > 80 and "EmailRecognizer" in lazy["names"][PRESIDIO]
    assert lazy["names"]["faker"]["Faker"] == "faker.proxy.Faker"


def test_a_run_imports_only_the_recognizers_it_names():
    code = ("import anonymizer.detect, json, sys\n"  # installs the finder, as a run does
            "from anonymizer.detect.analyzer import get_analyzer\n"
            "from anonymizer.detect.text import find_spans\n"
            "spans = find_spans(['Écrire à jean.dupont@orange.fr ou appeler le 06 12 34 56 78, site www.caf.fr'],"
            " ner=False)\n"
            "print(json.dumps({'spans': [[r.entity_type, r.start, r.end, r.score] for r in spans[0]],"
            " 'loaded': [m for m in ('presidio_analyzer.predefined_recognizers.generic.phone_recognizer',"
            " 'presidio_analyzer.predefined_recognizers.country_specific.us') if m in sys.modules]}))")
    # (phonenumbers itself is imported by our own phone validator)
    lazy = _run(code)
    usual = _run(code.replace("import anonymizer.detect, json, sys\n",
                              "import presidio_analyzer.predefined_recognizers, anonymizer.detect, json, sys\n"))
    assert lazy["spans"] == usual["spans"] and len(lazy["spans"]) >= 3
    assert lazy["loaded"] == [] and len(usual["loaded"]) == 2


def test_names_pools_without_fakers_locale_list():
    code = ("import json, sys\nfrom anonymizer.transform.names import pools\np = pools()\n"
            "print(json.dumps({'pools': p, 'config': 'faker.config' in sys.modules}))")
    lazy = _run(code)
    usual = _run("import faker\n" + code)  # faker imported first: the usual import
    assert lazy["pools"] == usual["pools"] and lazy["config"] is False and usual["config"] is True


def test_an_init_with_other_statements_runs_as_usual():
    assert bindings("p", '"""doc."""\nfrom .a import B\nC = [B]\n__all__ = ["B"]\n') is not None
    assert bindings("p", "from .a import B\nif B:\n    pass\n") is None
    assert bindings("p", "from .a import *\n") is None
    assert bindings("p", "import os\n") is None
    assert bindings("p.q", "from ..a import B as C\nfrom . import d\n") == {
        "C": ("import", "p.a", "B"), "d": ("import", "p.q", "d")}
