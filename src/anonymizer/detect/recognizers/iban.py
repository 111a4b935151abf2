"""IBAN (any country, mod 97-10) with the French RIB key, in compact, 4-grouped or RIB grouping.

Bank statements write ``FR76 30006 00001 12345678901 89`` (bank, branch, account, key), which
Presidio's IbanRecognizer misses. A candidate run of groups is trimmed from the right until
the IBAN validates, so a following word or number is never swallowed.
"""

from __future__ import annotations

import regex as re
from presidio_analyzer import RecognizerResult

from anonymizer.detect.recognizers._base import FrPatternRecognizer
from anonymizer.detect.validators import is_iban

_CANDIDATE = re.compile(r"\b[A-Z]{2}\d{2}(?:[ \-]?[A-Z0-9]{1,11}){2,12}")
_TOKEN = re.compile(r"[A-Z0-9]+")


class FrIbanRecognizer(FrPatternRecognizer):
    ENTITY = "IBAN"
    PATTERNS = (("iban", _CANDIDATE.pattern, 0.5),)
    CONTEXT = ("iban", "rib", "compte", "bancaire", "virement", "banque")
    CASE_SENSITIVE = True

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):  # noqa: D102
        results: list[RecognizerResult] = []
        for m in _CANDIDATE.finditer(text):
            start = m.start()
            ends = [start + t.end() for t in _TOKEN.finditer(m.group(0))]
            for end in reversed(ends):
                if is_iban(text[start:end]):
                    results.append(
                        RecognizerResult(
                            self.ENTITY, start, end, 1.0,
                            analysis_explanation=self.build_regex_explanation(
                                self.name, "iban", _CANDIDATE.pattern, 0.5, True, 0
                            ),
                            recognition_metadata={
                                RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                            },
                        )
                    )
                    break
        return results

    def validate_result(self, pattern_text: str) -> bool:
        return is_iban(pattern_text)
