"""Shared shape of the French recognizers: patterns, French context words, a validator.

Each recognizer is a Presidio :class:`PatternRecognizer` bound to ``fr``. Subclasses set
``ENTITY``, ``PATTERNS`` (name, regex, score), ``CONTEXT`` and override ``validate_result``
with a check from :mod:`anonymizer.detect.validators` (True -> score 1.0, False -> dropped,
None -> keep the pattern score, which context words can raise).
"""

from __future__ import annotations

import regex as re
from presidio_analyzer import Pattern, PatternRecognizer

FLAGS_CI = re.DOTALL | re.MULTILINE | re.IGNORECASE
FLAGS_CS = re.DOTALL | re.MULTILINE


class FrPatternRecognizer(PatternRecognizer):
    """A French pattern recognizer configured from class attributes."""

    ENTITY: str = ""
    PATTERNS: tuple[tuple[str, str, float], ...] = ()
    CONTEXT: tuple[str, ...] = ()
    CASE_SENSITIVE: bool = False

    def __init__(self, supported_language: str = "fr") -> None:
        super().__init__(
            supported_entity=self.ENTITY,
            name=type(self).__name__,
            supported_language=supported_language,
            patterns=[Pattern(n, rx, s) for n, rx, s in self.PATTERNS],
            context=list(self.CONTEXT),
            global_regex_flags=FLAGS_CS if self.CASE_SENSITIVE else FLAGS_CI,
        )
