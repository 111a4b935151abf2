"""Fictitious CAF-style beneficiary extract (181 columns) and its ground truth.

``generate_extract`` returns the whole table; ``iter_extract`` streams it in chunks with the
same bytes. Nothing in it describes a real person: names come from Faker pools, streets are
invented, phones sit in ARCEP fiction ranges and e-mails in reserved domains.
"""

from anonymizer.synth.generator import (
    BLOCK,
    TOTAL_PARTS,
    generate_extract,
    ground_truth_columns,
    iter_extract,
    truth_json,
)

__all__ = ["BLOCK", "TOTAL_PARTS", "generate_extract", "ground_truth_columns", "iter_extract", "truth_json"]
