"""``redact`` runs with the garbage collector paused (issue #21) and gives back its state.

The detection and the replacement build a few hundred thousand span objects that live until the
batch ends, over which every full collection walked again; the pause changes what the collector
does, never the output (``redact`` is its unchanged work, ``_redact``, inside ``collector_paused``).
"""

from __future__ import annotations

import gc

import pytest

from anonymizer.transform.text import _redact, redact

from .conftest import KEY, ctx, text
from .test_text import COMMENTS, detector


def _spying(seen: list[bool]):
    def detect(texts: list[str]) -> list:
        seen.append(gc.isenabled())
        return detector(texts)

    return detect


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_paused_inside_and_given_back_its_state(enabled):
    seen: list[bool] = []
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        out = redact(text(COMMENTS), key=KEY, params={"detector": _spying(seen)}, context=ctx("COMMENT"))
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
    assert seen == [False]
    assert out.tolist() == _redact(text(COMMENTS), key=KEY, params={"detector": detector}, context=ctx("COMMENT")).tolist()


def test_the_collector_is_given_back_on_an_error():
    def failing(texts: list[str]) -> list:
        raise RuntimeError("detector down")

    assert gc.isenabled()
    with pytest.raises(RuntimeError, match="detector down"):
        redact(text(COMMENTS), key=KEY, params={"detector": failing}, context=ctx("COMMENT"))
    assert gc.isenabled()
