"""memory.release() gives freed memory back to the system, pyarrow's pool included."""

from __future__ import annotations

import os
import sys

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from anonymizer.memory import release

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")


def _rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(pa.default_memory_pool().backend_name == "system", reason="the system pool is glibc's")
def test_pages_pyarrow_freed_are_returned_by_release():
    release()
    arrays = [pc.utf8_upper(pa.array([f"valeur {i} {j}" for i in range(20_000)])) for j in range(200)]
    held = sum(a.nbytes for a in arrays) / 2**20  # ~80 MB of Arrow buffers in the pool
    del arrays
    assert pa.default_memory_pool().bytes_allocated() == 0
    before = _rss_mib()
    release()
    after = _rss_mib()
    assert before - after > held / 2, (before, after, held)
