"""privacy: ARX-format hierarchies, privacy models (k, ℓ, t), information loss and the optimal lattice search."""

from anonymizer.privacy.hierarchy import (
    Hierarchy,
    dates,
    default_hierarchy,
    flat,
    intervals,
    load_hierarchies,
    masking,
    nationality,
    prefixes,
)
from anonymizer.privacy.job import anonymize_with_hierarchies
from anonymizer.privacy.lattice import (
    SearchResult,
    apply_transformation,
    evaluate_all,
    evaluate_transformation,
    search,
)

__all__ = [
    "Hierarchy", "SearchResult", "anonymize_with_hierarchies", "apply_transformation", "dates", "evaluate_all", "evaluate_transformation", "default_hierarchy", "flat", "intervals",
    "load_hierarchies", "masking", "nationality", "prefixes", "search",
]
