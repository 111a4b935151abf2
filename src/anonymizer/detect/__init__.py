"""Detection: which columns identify people, and which spans of free text do (``anon scan``).

Public API (docs/ARCHITECTURE.md): :func:`scan_table`, :class:`ScanReport`,
:class:`ColumnFinding`, :func:`get_analyzer`, :func:`find_spans`. Presidio and spaCy are
imported only when free text or a recognizer is actually needed; the scan itself is imported
on first use, so the entity table (:mod:`.entities`) is cheap to import from every package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from anonymizer import lazy_init
from anonymizer.detect import light_spacy

if TYPE_CHECKING:
    from anonymizer.detect.scan import ColumnFinding, ScanReport, scan_table

_SCAN_NAMES = ("ColumnFinding", "ScanReport", "scan_table")

light_spacy.install()  # spaCy, when a run imports it (Presidio does), without its command line
# Presidio's predefined recognizers, each when named (not those of every country)
lazy_init.install("presidio_analyzer.predefined_recognizers", subpackages=True)


def __getattr__(name: str) -> Any:
    if name in _SCAN_NAMES:
        from anonymizer.detect import scan

        return getattr(scan, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def get_analyzer(ner: bool = True):
    """The cached French, offline Presidio ``AnalyzerEngine`` (see :mod:`.analyzer`)."""
    from anonymizer.detect.analyzer import get_analyzer as _get

    return _get(ner)


def find_spans(texts, *, ner: bool | str = True):
    """PII spans per text, batched (see :mod:`.text`)."""
    from anonymizer.detect.text import find_spans as _find

    return _find(texts, ner=ner)


__all__ = ["ColumnFinding", "ScanReport", "scan_table", "get_analyzer", "find_spans"]
