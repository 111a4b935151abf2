"""anon: make French administrative tables safe to share.

The package is organised by the stages of the data flow (see docs/ARCHITECTURE.md):
``io`` reads and writes tables, ``detect`` finds identifiers, ``policy`` turns findings
and profiles into a plan, ``transform`` applies column actions, ``privacy`` enforces
k-anonymity and friends, ``risk`` measures re-identification risk, ``report`` renders it,
``synth`` generates the fictitious example extract and ``check`` is the CI gate.
"""

__version__ = "0.1.0"
