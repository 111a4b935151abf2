"""The garbage collector at start-up (issue #21, target 5): the ``anon`` process freezes the objects
its command imported (memory.freeze_imports), and the analyzer is built with the collector paused
(memory.collector_paused). Neither changes a result: the analyzer is the one its builder makes (the
reference: ``_build_analyzer``, the body ``get_analyzer`` had), a sanitize writes the same bytes
with or without the freeze, and only the ``anon`` process freezes (a program embedding anon keeps
its heap as it is)."""

from __future__ import annotations

import gc
import hashlib
import json
import subprocess
import sys

import pytest

from anonymizer.memory import collector_paused, freeze_imports


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_paused_inside_and_restored_after(enabled):
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        with collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
        with pytest.raises(RuntimeError), collector_paused():
            raise RuntimeError("boom")
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_a_program_embedding_anon_is_not_frozen():
    before = gc.get_freeze_count()
    assert freeze_imports() is False and gc.get_freeze_count() == before


def test_the_analyzer_is_the_one_its_builder_makes():
    from anonymizer.detect.analyzer import _build_analyzer, get_analyzer
    from anonymizer.detect.text import find_spans

    texts = ["Rendez-vous avec Julien Dupont à Bordeaux le 3 mars, tél. 06 12 34 56 78, jean.dupont@orange.fr",
             "Mme Martin habite 12 rue de la Paix, 33000 Bordeaux ; IBAN FR76 3000 6000 0112 3456 7890 189"]
    got = [[(r.entity_type, r.start, r.end, r.score) for r in spans] for spans in find_spans(texts)]
    assert gc.isenabled()
    for ner in (False, True):
        built, cached = _build_analyzer(ner), get_analyzer(ner)
        assert [r.name for r in built.registry.recognizers] == [r.name for r in cached.registry.recognizers]
    assert sum(map(len, got)) >= 6


SANITIZE = """
import gc, json, sys
from anonymizer.cli.main import main
from anonymizer import memory
if sys.argv[1] == "off":
    memory.freeze_imports = lambda: False
try:
    main(sys.argv[2:])
except SystemExit:
    pass
print(json.dumps({"frozen": gc.get_freeze_count(), "enabled": gc.isenabled()}))
"""


def _run(tmp_path, mode: str) -> tuple[dict, list[str]]:
    out = tmp_path / f"o_{mode}.csv"
    res = subprocess.run([sys.executable, "-c", SANITIZE, mode, "sanitize", "c.csv", "--profile", "training",
                          "--policy", "p.yaml", "--key-file", "k", "-o", out.name, "--force"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=600)
    state = json.loads(res.stdout.strip().splitlines()[-1])
    digests = [hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
               for name in (out.name, out.name + ".risk.json")]
    return state, digests


def test_the_anon_process_freezes_its_imports_and_writes_the_same_bytes(tmp_path):
    for args in (["generate", "--rows", "60", "--seed", "5", "-o", "c.csv"], ["scan", "c.csv", "--write-policy", "p.yaml"],
                 ["keygen", "-o", "k"]):
        subprocess.run([sys.executable, "-m", "anonymizer", *args], cwd=tmp_path, capture_output=True, check=True)
    frozen, with_freeze = _run(tmp_path, "on")
    plain, without = _run(tmp_path, "off")
    assert frozen["frozen"] > 20_000 and plain["frozen"] == 0  # pandas and friends: tens of thousands
    assert frozen["enabled"] and plain["enabled"]
    assert with_freeze == without


def test_a_worker_task_starts_on_a_collected_frozen_heap_and_dropping_the_model_unfreezes():
    """memory.settle_heap (a worker, before each task): cyclic garbage the last task left is
    collected, what is alive is frozen (no later full collection walks it); detect.analyzer's
    drop_models unfreezes first, or a frozen model's cycles would outlive it."""
    import weakref

    from anonymizer import memory
    from anonymizer.detect.analyzer import drop_models
    from anonymizer.memory import settle_heap

    class Node:
        pass

    def cycle() -> weakref.ref:
        a, b = Node(), Node()
        a.other, b.other = b, a
        return weakref.ref(a)

    try:
        garbage = cycle()  # unreachable, kept only by its own cycle
        alive = Node()
        alive.me = alive
        settle_heap()
        assert garbage() is None  # collected before the freeze
        assert gc.get_freeze_count() > 0
        held = Node()
        held.me = held
        ref = weakref.ref(held)
        settle_heap()  # `held` alive: frozen now
        del held
        gc.collect()
        assert ref() is not None  # frozen: a full collection does not reach it
        drop_models()  # unfreezes, then collects
        assert gc.get_freeze_count() == 0
        assert ref() is None
    finally:
        gc.unfreeze()
        memory._SETTLED[0] = False  # this test process is not a worker
