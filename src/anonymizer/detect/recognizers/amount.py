"""Amounts in euros written in free text: ``167,41 €``, ``1 234,56 euros``, ``1.234 EUR``, ``€ 80``.

Only a number next to a currency word is an amount (``12,50`` alone may be anything); the
span is the number, so ``redact`` rounds it and the ``€`` stays. Thousands may be grouped by
a space, a no-break space or a dot; decimals by a comma or a dot.
"""

from __future__ import annotations

from anonymizer.detect.recognizers._base import FrPatternRecognizer

NUMBER = r"(?:\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+)(?:[.,]\d{1,2})?"


class FrAmountRecognizer(FrPatternRecognizer):
    ENTITY = "AMOUNT"
    PATTERNS = (
        ("amount_eur", rf"(?<![\w.,]){NUMBER}(?=[ \u00a0\u202f]?(?:€|euros?\b|eur\b))", 0.6),
        ("amount_eur_before", rf"(?<=€[ \u00a0\u202f]?){NUMBER}(?![\w]|[.,]\d)", 0.5),
    )
    CONTEXT = ("montant", "somme", "indu", "ressources", "revenus", "versé", "pension", "loyer")
