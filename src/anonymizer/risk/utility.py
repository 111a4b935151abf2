"""Utility of a released table against its input, and the linkability question.

* **Information loss per column**: the normalised conditional entropy H(X_in | X_out) / H(X_in) over
  aligned rows — the "non-uniform entropy" loss of Gionis & Tassa 2009 ("k-anonymization with
  minimal loss of information", IEEE TKDE 21(2)), also ARX's non-uniform entropy metric. 0 when
  the output still determines the input value, 1 when it tells nothing about it. It needs no
  hierarchy, so it works for generalisation, suppression, noise and fakes alike.
* **Suppressed cells**: cells missing in the output but not in the input.
* **Distribution distance**: total variation distance ½ Σ |p_v − q_v| between the value
  distributions of input and output (0 = same distribution, 1 = disjoint values); for numeric
  columns also the means and standard deviations.
* **Linkability** (WP29 Opinion 05/2014): an attacker holding the original quasi-identifiers of
  everybody matches each released record to the original records with exactly the same
  quasi-identifier values and picks one at random; the share of released records linked back
  correctly is mean_j [orig_j = out_j] / #{i : orig_i = out_j}. An attacker who also knows the
  generalisation maps originals onto released classes and succeeds with 1 / class size on
  average (the average prosecutor risk of the output).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from anonymizer.risk.classes import missing_mask


def _text(series: pd.Series) -> pd.Series:
    return series.astype("string").fillna("")


def _entropy_from_counts(counts: np.ndarray) -> float:
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log2(p)).sum())


def column_utility(before: pd.Series, after: pd.Series, *, aligned: bool) -> dict:
    """Loss, suppression and distribution distance for one column (see module docstring)."""
    b_txt, a_txt = _text(before), _text(after)
    b_miss, a_miss = missing_mask(before), missing_mask(after)
    both = pd.concat([b_txt, a_txt], ignore_index=True)
    codes, uniq = pd.factorize(both)
    nb = len(b_txt)
    cb, ca = codes[:nb], codes[nb:]
    m = len(uniq)
    pb = np.bincount(cb, minlength=m) / max(nb, 1)
    pa = np.bincount(ca, minlength=m) / max(len(ca), 1)
    out: dict = {
        "distinct_before": int(pd.unique(cb).size),
        "distinct_after": int(pd.unique(ca).size),
        "missing_before": int(b_miss.sum()),
        "missing_after": int(a_miss.sum()),
        "tvd": float(0.5 * np.abs(pb - pa).sum()),
    }
    if aligned:
        out["changed_cells"] = int((cb != ca).sum())
        out["share_changed"] = float((cb != ca).mean()) if nb else 0.0
        out["suppressed_cells"] = int((a_miss & ~b_miss).sum())
        h_in = _entropy_from_counts(np.bincount(cb, minlength=m))
        joint = pd.factorize(cb.astype(np.int64) * m + ca)[0]
        h_joint = _entropy_from_counts(np.bincount(joint))
        h_out = _entropy_from_counts(np.bincount(ca, minlength=m))
        out["information_loss"] = float((h_joint - h_out) / h_in) if h_in > 0 else 0.0
    else:
        out["suppressed_cells"] = max(0, out["missing_after"] - out["missing_before"])
    nb_num = pd.to_numeric(b_txt.str.replace(",", ".", regex=False), errors="coerce")
    na_num = pd.to_numeric(a_txt.str.replace(",", ".", regex=False), errors="coerce")
    if (~b_miss).any() and nb_num[~b_miss].notna().all() and (~a_miss).any() and na_num[~a_miss].notna().all():
        out["numeric"] = {"mean_before": float(nb_num.mean()), "mean_after": float(na_num.mean()),
                          "std_before": float(nb_num.std(ddof=0)), "std_after": float(na_num.std(ddof=0))}
    return out


def linkability(original: pd.DataFrame, output: pd.DataFrame, qi: list[str]) -> dict:
    """Share of output records an attacker with the original quasi-identifiers links back correctly."""
    if len(original) != len(output):
        return {"computed": False, "reason": "input and output do not have the same number of rows"}
    n = len(output)
    if n == 0:
        return {"computed": False, "reason": "empty table"}
    keys = []
    for col in qi:
        both = pd.concat([_text(original[col]), _text(output[col])], ignore_index=True)
        keys.append(pd.factorize(both)[0].astype(np.int64))
    key = keys[0]
    for k in keys[1:]:
        key = pd.factorize(key * (int(k.max()) + 1) + k)[0].astype(np.int64)
    ko, kr = key[:n], key[n:]
    counts_orig = np.bincount(ko, minlength=int(key.max()) + 1)
    correct = (ko == kr) / np.maximum(counts_orig[kr], 1)
    correct[counts_orig[kr] == 0] = 0.0
    unchanged = {col: float((_text(original[col]).to_numpy() == _text(output[col]).to_numpy()).mean())
                 for col in qi}
    return {
        "computed": True,
        "share_linked_exact": float(correct.mean()),
        "records_linked_exact_certain": int(((ko == kr) & (counts_orig[kr] == 1)).sum()),
        "share_qi_cells_unchanged": unchanged,
    }
