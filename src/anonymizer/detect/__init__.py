"""Detection: which columns identify people, and which spans of free text do (``anon scan``).

Public API (docs/ARCHITECTURE.md): :func:`scan_table`, :class:`ScanReport`,
:class:`ColumnFinding`, :func:`get_analyzer`, :func:`find_spans`. Presidio and spaCy are
imported only when free text or a recognizer is actually needed.
"""

from __future__ import annotations

from anonymizer.detect.scan import ColumnFinding, ScanReport, scan_table


def get_analyzer(ner: bool = True):
    """The cached French, offline Presidio ``AnalyzerEngine`` (see :mod:`.analyzer`)."""
    from anonymizer.detect.analyzer import get_analyzer as _get

    return _get(ner)


def find_spans(texts, *, ner: bool | str = True):
    """PII spans per text, batched (see :mod:`.text`)."""
    from anonymizer.detect.text import find_spans as _find

    return _find(texts, ner=ner)


__all__ = ["ColumnFinding", "ScanReport", "scan_table", "get_analyzer", "find_spans"]
