"""keep / suppress / drop and the registry."""

from __future__ import annotations

import inspect

import pandas as pd

from anonymizer.transform import ACTIONS, is_drop, order_columns

from .conftest import ctx, text


def test_registry_has_every_action_with_the_contract_signature():
    assert set(ACTIONS) == {"drop", "keep", "suppress", "pseudonymize", "fake", "generalize", "shift_dates",
                            "noise", "redact"}
    for fn in ACTIONS.values():
        params = inspect.signature(fn).parameters
        assert {"key", "params", "context"} <= set(params)
        assert all(params[p].kind is inspect.Parameter.KEYWORD_ONLY for p in ("key", "params", "context"))


def test_keep_suppress_drop():
    s = text(["a", "", "b"])
    assert ACTIONS["keep"](s, key=None, params={}, context=ctx()).tolist() == ["a", "", "b"]
    out = ACTIONS["suppress"](s, key=None, params={}, context=ctx())
    assert out.tolist() == ["", "", ""] and out.dtype == s.dtype
    n = ACTIONS["suppress"](pd.Series([1, 2]), key=None, params={}, context=ctx())
    assert n.isna().all()
    assert is_drop(ACTIONS["drop"]) and not is_drop(ACTIONS["keep"])


def test_order_columns_puts_context_first():
    ents = {"CLENIR": "NIR_KEY", "NIR": "NIR", "PRENOM": "FIRST_NAME", "SEXE": "SEX", "DTNAIS": "BIRTH_DATE",
            "BIC": "BIC", "IBAN": "IBAN"}
    order = order_columns(list(ents), ents)
    assert order.index("SEXE") < order.index("NIR") < order.index("CLENIR")
    assert order.index("DTNAIS") < order.index("NIR") and order.index("IBAN") < order.index("BIC")
