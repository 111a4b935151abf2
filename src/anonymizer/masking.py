"""Masking: the only form in which a value from the data may appear in any output.

A masked example keeps the shape a person needs to recognise a finding (length,
separators, the first character of a word, the first digits of a number) and hides
everything that identifies: ``Jean DUPONT`` -> ``J*** D*****``,
``1 85 05 75 123 456 78`` -> ``1 85 ** ** *** *** **``, ``jean.d@example.fr`` -> ``j***@e******.fr``.
"""

from __future__ import annotations

import re

_DIGIT_RUN = re.compile(r"\d+")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _mask_digits(text: str, keep: int) -> str:
    """Keep the first ``keep`` digits of the whole value, star the rest; separators stay."""
    out: list[str] = []
    seen = 0
    for ch in text:
        if ch.isdigit():
            out.append(ch if seen < keep else "*")
            seen += 1
        else:
            out.append(ch)
    return "".join(out)


def _mask_words(text: str) -> str:
    return _WORD.sub(lambda m: m.group(0)[0] + "*" * (len(m.group(0)) - 1), text)


def mask_value(value: object, *, max_len: int = 40) -> str:
    """Mask one value for display; never returns more than one identifying character per word.

    Digits: the first three digits of the value survive (enough to tell a NIR's sex and
    birth year from a phone's 06), everything else is starred. Letters: the first letter of
    each word survives. E-mails keep the top-level domain.
    """
    if value is None:
        return ""
    text = str(value)
    if text == "" or text.lower() == "nan":
        return ""
    if "@" in text:
        local, _, domain = text.partition("@")
        dom, dot, tld = domain.rpartition(".")
        masked_domain = (_mask_words(dom) + dot + tld) if dot else _mask_words(domain)
        text = _mask_words(_mask_digits(local, 0)) + "@" + masked_domain
    else:
        digits = sum(ch.isdigit() for ch in text)
        letters = sum(ch.isalpha() for ch in text)
        keep = 3 if digits >= 7 else (1 if digits >= 3 else 0)
        text = _mask_digits(text, keep)
        if letters:
            text = _mask_words(text)
    if len(text) > max_len:
        text = text[: max_len - 1] + "…"
    return text
