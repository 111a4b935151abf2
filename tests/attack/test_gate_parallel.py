"""The release gate with its input attack in a second thread (issue #21) against the sequential
gate it replaced, kept verbatim in ``tests/attack/reference/release_v2.py``.

The attacks share the original's coded columns and their caches: every figure must be the one the
attacks give one after the other (``GateResult`` reports equal, floats included), whatever the
threads' interleaving; an error in the thread must surface in the caller as the same error."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import anonymizer.attack.linkage as linkage
import anonymizer.attack.release as new_release
from anonymizer.attack.facts import RowTexts

from .reference import release_v2 as old_release
from .test_gate_equivalence import KEYS, NEW, SETTINGS, _frames, _gate

OLD = (None, None, old_release)


@pytest.fixture
def small_batches(monkeypatch, request):
    """Both gates cut their pairs into batches of ``request.param`` cells (one linkage module)."""
    if request.param is not None:
        monkeypatch.setattr(linkage, "MAX_CELLS", request.param)
        monkeypatch.setattr(linkage, "U_PAIRS", request.param * 7)


def _same(new, old) -> None:
    assert new.to_dict() == old.to_dict()
    assert (new.attacker, new.key, new.on_input) == (old.attacker, old.key, old.on_input)
    assert (new.max_success, new.max_unique, new.problems) == (old.max_success, old.max_unique, old.problems)


@pytest.mark.parametrize("small_batches", [None, 53], indirect=True)
@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(1, 160), suppress=st.sampled_from([0.0, 0.1, 0.5]),
       coarse=st.sampled_from([0.0, 0.5, 1.0]), few=st.booleans(), persons=st.sampled_from([None, 1, 7, 40]),
       key=st.integers(0, len(KEYS) - 1), switch=st.sampled_from([None, 1e-6]))
def test_the_threaded_gate_equals_the_sequential_one(small_batches, seed, n, suppress, coarse, few, persons, key,
                                                     switch):
    """``switch``: a tiny GIL switch interval, so the two threads interleave as finely as they can."""
    frames = _frames(seed, n, suppress, coarse, few)
    old = _gate(OLD, frames, persons, key)
    before = sys.getswitchinterval()
    try:
        if switch is not None:
            sys.setswitchinterval(switch)
        new = _gate(NEW, frames, persons, key)
    finally:
        sys.setswitchinterval(before)
    _same(new, old)


def test_the_input_attack_alone_in_the_thread_fails_the_gate_call(monkeypatch):
    """An error in the input attack (the thread's) is raised by ``release_gate`` itself, the same error."""
    real = linkage.linkage_attack
    calls = []

    def attack(facts, **kw):
        calls.append(len(facts))
        if all(isinstance(f.original, RowTexts) and isinstance(f.released, RowTexts)
               and f.original.coded is f.released.coded for f in facts):  # each side the original: the input
            raise MemoryError("input attack")
        return real(facts, **kw)

    monkeypatch.setattr(new_release, "linkage_attack", attack)
    frames = _frames(3, 60, 0.1, 0.5, True)
    with pytest.raises(MemoryError, match="input attack"):
        _gate(NEW, frames, None, 0)
    assert len(calls) == 3  # the other two attacks ran to their end


def test_an_error_beside_is_raised_in_the_caller():
    def fail():
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        new_release._Beside(fail).result()
    assert new_release._Beside(lambda: np.int64(7)).result() == 7
