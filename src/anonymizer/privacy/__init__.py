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
from anonymizer.privacy.search import SearchResult, apply_transformation, search

__all__ = [
    "Hierarchy", "SearchResult", "apply_transformation", "dates", "default_hierarchy", "flat", "intervals",
    "load_hierarchies", "masking", "nationality", "prefixes", "search",
]
