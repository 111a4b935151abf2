"""Presidio's e-mail recognizer with a domain check that never goes to the network.

``EmailRecognizer.validate_result`` calls ``tldextract.extract``, whose default extractor
fetches the Public Suffix List on first use (nothing may download at run time here). The
documented way to change a recognizer's validation is a subclass: this one validates with an
extractor limited to the suffix list bundled with tldextract.
"""

from __future__ import annotations

from functools import lru_cache

from presidio_analyzer.predefined_recognizers import EmailRecognizer


@lru_cache(maxsize=1)
def _offline_extractor():
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


class OfflineEmailRecognizer(EmailRecognizer):
    """E-mail addresses, the domain checked against the bundled Public Suffix List."""

    ENTITY = "EMAIL_ADDRESS"
    CONTEXT = ["mail", "courriel", "e-mail", "adresse"]

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("name", "EmailRecognizer")  # what results and prefilters have always named it
        kwargs.setdefault("context", self.CONTEXT)
        super().__init__(**kwargs)

    def validate_result(self, pattern_text: str) -> bool:
        return _offline_extractor()(pattern_text).fqdn != ""
