"""memory.release() gives freed memory back to the system, pyarrow's pool included.

Measured in a fresh interpreter: in the test process, pages earlier tests left behind make
RSS differences meaningless.
"""

from __future__ import annotations

import subprocess
import sys

import pyarrow as pa
import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")

PROBE = """
import os, pyarrow as pa, pyarrow.compute as pc
from anonymizer.memory import release

def rss():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

release()
arrays = [pc.utf8_upper(pa.array([f"valeur {i} {j}" for i in range(20_000)])) for j in range(200)]
held = sum(a.nbytes for a in arrays) / 2**20
del arrays
assert pa.default_memory_pool().bytes_allocated() == 0
before = rss()
release()
print(held, before, rss())
"""


@pytest.mark.skipif(pa.default_memory_pool().backend_name == "system", reason="the system pool is glibc's")
def test_pages_pyarrow_freed_are_returned_by_release():
    out = subprocess.run([sys.executable, "-c", PROBE], check=True, capture_output=True, text=True).stdout
    held, before, after = map(float, out.split())  # ~80 MB of Arrow buffers were in the pool
    assert before - after > held / 2, (before, after, held)


VMSIZE = """
import {first}
import pyarrow as pa
buf = pa.allocate_buffer(1 << 20)  # the pool's first allocation reserves its arena
print(next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmSize")) >> 10)
"""


@pytest.mark.skipif(pa.default_memory_pool().backend_name != "mimalloc", reason="the reserve is mimalloc's")
def test_importing_anonymizer_first_keeps_pyarrows_address_space_reserve_small():
    """mimalloc reserves 1 GiB arenas by default: enough to fail a small run under `ulimit -v`."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "MIMALLOC_ARENA_RESERVE"}

    def vmsize(first: str) -> int:
        return int(subprocess.run([sys.executable, "-c", VMSIZE.format(first=first)], env=env, check=True,
                                  capture_output=True, text=True).stdout)

    plain, ours = vmsize("sys"), vmsize("anonymizer")
    assert plain - ours > 512, (plain, ours)  # MiB of address space no longer reserved
