"""Re-identification risk: classes, prosecutor/journalist/marketer risk, population uniqueness,
ℓ-diversity, t-closeness, special uniques (SUDA), the three WP29 questions and utility.

The public entry point is :func:`risk_report`; the measures are importable one by one.

The package itself is callable: ``anonymizer.risk`` is both this package and the notebook
API's ``anon.risk(df, qi, sensitive)`` (``anonymizer.api.risk``), because importing the
package sets ``anonymizer.risk`` to it and would otherwise hide the function.
"""

import sys
import types

from anonymizer.risk.assess import MISSING_RULE, SCHEMA_VERSION, risk_report
from anonymizer.risk.classes import Classes, encode_column, equivalence_classes, missing_mask
from anonymizer.risk.diversity import diversity, numeric_order
from anonymizer.risk.measures import journalist_risk, k_anonymity, marketer_risk, prosecutor_risk, small_cells
from anonymizer.risk.population import (
    pitman_uniques,
    population_uniqueness,
    snb_uniques,
    zayatz_uniques,
)
from anonymizer.risk.suda import special_uniques
from anonymizer.risk.utility import column_utility, linkability

__all__ = [
    "MISSING_RULE", "SCHEMA_VERSION", "Classes", "column_utility", "diversity", "encode_column",
    "equivalence_classes", "journalist_risk", "k_anonymity", "linkability", "marketer_risk", "missing_mask",
    "numeric_order", "pitman_uniques", "population_uniqueness", "prosecutor_risk", "risk_report",
    "small_cells", "snb_uniques", "special_uniques", "zayatz_uniques",
]


class _CallablePackage(types.ModuleType):
    def __call__(self, *args, **kwargs):
        """``anon.risk(df, qi, sensitive=(), ...)``: see :func:`anonymizer.api.risk`."""
        from anonymizer.api import risk

        return risk(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
