"""anon: make French administrative tables safe to share.

The package is organised by the stages of the data flow (see docs/ARCHITECTURE.md):
``io`` reads and writes tables, ``detect`` finds identifiers, ``policy`` turns findings
and profiles into a plan, ``transform`` applies column actions, ``privacy`` enforces
k-anonymity and friends, ``risk`` measures re-identification risk, ``report`` renders it,
``synth`` generates the fictitious example extract and ``check`` is the CI gate.
"""

import os

__version__ = "0.1.0"

# pyarrow's allocator (mimalloc) reserves address space in 1 GiB arenas: half the virtual size
# of a small run (2.0 GiB for 2,000 rows, 37 MB of it resident), enough to fail under a
# `ulimit -v` that the data fits in. 64 MiB arenas keep that reserve small; resident memory is
# the same. Read when pyarrow loads, hence here, before any module imports it; a value the
# user set wins.
os.environ.setdefault("MIMALLOC_ARENA_RESERVE", "64MiB")

# The notebook API (anonymizer.api): ``import anonymizer as anon; anon.sanitize(df, key=...)``.
# Loaded on first use, so ``import anonymizer`` (and so ``anon --help``) imports no pandas.
_API = ("scan", "sanitize", "risk", "SanitizeResult")
__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name == "risk":  # the subpackage, callable as the API's risk(): importing it sets this name anyway
        import anonymizer.risk

        return anonymizer.risk
    if name in _API:
        from anonymizer import api

        return getattr(api, name)
    raise AttributeError(f"module 'anonymizer' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
