"""``anonymizer.i18n.number`` as it was before its Babel pattern and locale were parsed once
(kept verbatim: the reference of tests/test_i18n_number.py)."""

from __future__ import annotations

from anonymizer.i18n import _BABEL_LOCALE, _SEPARATORS, _babel, language


def number(value: float | int | None, decimals: int = 0, lang: str | None = None) -> str:
    """``value`` with the language's grouping and decimal marks (``—`` for none)."""
    if value is None:
        return "—"
    lang = lang or language()
    babel = _babel()
    if babel is not None:
        fmt = "#,##0" + ("." + "0" * decimals if decimals else "")
        return babel.format_decimal(value, format=fmt, locale=_BABEL_LOCALE[lang], decimal_quantization=True)
    group, point = _SEPARATORS[lang]
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", point).replace("\0", group)
