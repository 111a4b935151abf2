"""Record-level re-identification risk from equivalence-class sizes.

* **k-anonymity** (Sweeney 2002, "k-anonymity: a model for protecting privacy", IJUFKS 10(5)):
  every class holds at least k records; the table is k-anonymous for k = smallest class.
* **Prosecutor risk** (El Emam & Dankar 2008, "Protecting privacy using k-anonymity", JAMIA
  15(5)): the attacker knows the target is in the table; a record's risk is 1 / its class size.
  Reported: highest, average over records, records above a threshold, sample uniques.
* **Journalist risk** (same paper): the attacker does not know whether the target is in the
  table and matches against the population; the record's risk is 1 / its *population* class
  size, estimated as ``F = f / sampling_fraction`` (never below the sample size ``f``). Without
  a population the sample is its own population and journalist = prosecutor (ARX's convention).
* **Marketer risk** (same paper; ARX ``RiskModelSampleSummary``): the expected share of
  records re-identified when the attacker tries to match everyone = number of classes / records.
* **Small-cell rule** (statistical confidentiality practice, e.g. Insee/SSP "secret statistique":
  no published cell under a threshold such as 11): classes and records under the threshold.
"""

from __future__ import annotations

import numpy as np

# Class-size bins for the histogram: [lo, hi] inclusive; hi None = open
SIZE_BINS: list[tuple[int, int | None]] = [(1, 1), (2, 2), (3, 4), (5, 9), (10, 19), (20, 49), (50, 99),
                                           (100, 999), (1000, None)]
# Record-risk bins (right-closed) for the risk distribution: (lo, hi]
RISK_EDGES: list[float] = [0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.34, 0.5, 0.99, 1.0]


def size_histogram(sizes: np.ndarray) -> list[dict]:
    """Classes and records per class-size bin."""
    out = []
    for lo, hi in SIZE_BINS:
        m = (sizes >= lo) if hi is None else ((sizes >= lo) & (sizes <= hi))
        label = f"{lo}+" if hi is None else (str(lo) if lo == hi else f"{lo}-{hi}")
        out.append({"sizes": label, "classes": int(m.sum()), "records": int(sizes[m].sum())})
    return out


def risk_distribution(record_risk: np.ndarray) -> list[dict]:
    """Records per risk band (lo, hi], the ARX-style risk distribution plot."""
    n = max(len(record_risk), 1)
    out = []
    for lo, hi in zip(RISK_EDGES[:-1], RISK_EDGES[1:], strict=True):
        cnt = int(((record_risk > lo) & (record_risk <= hi)).sum())
        out.append({"from": lo, "to": hi, "records": cnt, "share": cnt / n})
    return out


def k_anonymity(sizes: np.ndarray, k: int) -> dict:
    """Smallest class, class-size histogram, classes and records below ``k`` (Sweeney 2002)."""
    sizes = np.asarray(sizes, dtype=np.int64)
    below = sizes < k
    n = int(sizes.sum())
    return {
        "k_target": int(k),
        "k_achieved": int(sizes.min()) if len(sizes) else 0,
        "satisfied": bool(len(sizes) and sizes.min() >= k),
        "classes": int(len(sizes)),
        "smallest_class": int(sizes.min()) if len(sizes) else 0,
        "largest_class": int(sizes.max()) if len(sizes) else 0,
        "mean_class_size": float(n / len(sizes)) if len(sizes) else 0.0,
        "classes_below_k": int(below.sum()),
        "records_below_k": int(sizes[below].sum()),
        "share_records_below_k": float(sizes[below].sum() / n) if n else 0.0,
        "histogram": size_histogram(sizes),
    }


def prosecutor_risk(record_sizes: np.ndarray, threshold: float) -> dict:
    """Prosecutor model: record risk 1/class size (El Emam & Dankar 2008)."""
    n = len(record_sizes)
    if n == 0:
        return {"highest": 0.0, "average": 0.0, "threshold": threshold, "records_above_threshold": 0,
                "share_above_threshold": 0.0, "sample_uniques": 0, "share_sample_uniques": 0.0,
                "distribution": []}
    risk = 1.0 / record_sizes
    above = risk > threshold
    uniq = int((record_sizes == 1).sum())
    return {
        "highest": float(risk.max()),
        "average": float(risk.mean()),
        "threshold": float(threshold),
        "records_above_threshold": int(above.sum()),
        "share_above_threshold": float(above.mean()),
        "sample_uniques": uniq,
        "share_sample_uniques": uniq / n,
        "distribution": risk_distribution(risk),
    }


def journalist_risk(record_sizes: np.ndarray, sampling_fraction: float | None) -> dict:
    """Journalist model: 1 / estimated population class size ``max(f, f / sampling_fraction)``."""
    n = len(record_sizes)
    if n == 0:
        return {"highest": 0.0, "average": 0.0, "basis": "empty"}
    if sampling_fraction is None or sampling_fraction >= 1:
        pop = record_sizes.astype(float)
        basis = "sample taken as the population (no population size given): equals prosecutor risk"
    else:
        pop = np.maximum(record_sizes / float(sampling_fraction), record_sizes)
        basis = "population class size estimated as sample class size / sampling fraction"
    risk = 1.0 / pop
    return {"highest": float(risk.max()), "average": float(risk.mean()), "basis": basis}


def marketer_risk(record_sizes: np.ndarray, sampling_fraction: float | None) -> dict:
    """Marketer model: expected share of records re-identified when everyone is matched.

    ``(1/n) Σ_records 1/F`` with F the (estimated) population class size: classes / records when
    the sample is its own population (ARX), lower when a sampling fraction is known.
    """
    n = len(record_sizes)
    if n == 0:
        return {"average": 0.0}
    if sampling_fraction is None or sampling_fraction >= 1:
        return {"average": float((1.0 / record_sizes).mean())}
    pop = np.maximum(record_sizes / float(sampling_fraction), record_sizes)
    return {"average": float((1.0 / pop).mean())}


def small_cells(sizes: np.ndarray, threshold: int) -> dict:
    """Classes (and their records) smaller than the small-cell threshold (default 11)."""
    sizes = np.asarray(sizes, dtype=np.int64)
    small = sizes < threshold
    n = int(sizes.sum())
    return {
        "threshold": int(threshold),
        "classes_under_threshold": int(small.sum()),
        "records_in_small_classes": int(sizes[small].sum()),
        "share_records": float(sizes[small].sum() / n) if n else 0.0,
        "share_classes": float(small.mean()) if len(sizes) else 0.0,
    }
