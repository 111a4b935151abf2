"""French Presidio recognizers, one per module; :func:`french_recognizers` loads them all.

Which recognizers exist is said by the entity table (:mod:`anonymizer.detect.entities`,
``recognizer="module.Class"``): adding one is its file here plus its table entry.
"""

from __future__ import annotations

from importlib import import_module

from presidio_analyzer import EntityRecognizer

from anonymizer.detect.entities import OUR_RECOGNIZERS


def recognizer_class(spec: str) -> type[EntityRecognizer]:
    """The class a table spec ``module.Class`` names (module under this package)."""
    module, cls = spec.rsplit(".", 1)
    return getattr(import_module(f"{__name__}.{module}"), cls)


FRENCH_RECOGNIZERS = tuple(recognizer_class(spec) for spec in OUR_RECOGNIZERS)


def french_recognizers(language: str = "fr") -> list[EntityRecognizer]:
    """One fresh instance of every French recognizer, bound to ``language``."""
    return [cls(supported_language=language) for cls in FRENCH_RECOGNIZERS]
