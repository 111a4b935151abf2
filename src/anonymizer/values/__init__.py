"""values: the one reader (and writer) of French values, shared by detect, transform, privacy and io.

One module per kind of value, each a set of pure functions of one string:

* :mod:`~anonymizer.values.dates` — every date form the detectors accept (``12/03/1985``,
  ``12/03/85``, ISO with or without a time, ``12 mars 1985``, ``AAAAMM``, ``MM/AAAA``, ``AAAA``...),
  the one French month table and the one two-digit-year rule; a parsed date knows its precision
  and renders back in the form it was read in.
* :mod:`~anonymizer.values.places` — post codes, COG commune codes, IRIS and département codes
  -> département (Corsica, overseas, CEDEX, a leading zero lost by a spreadsheet).
* :mod:`~anonymizer.values.numbers` — amounts with decimal commas, thousands separators
  (spaces, no-break and thin spaces), signs, ``1e16``-style floats.
* :mod:`~anonymizer.values.text` — ``as_text``: how any cell reads as text.

This package imports nothing else from ``anonymizer``: every other package may import it.
"""

from anonymizer.values.dates import DateForm, FrDate, detect_date, is_year_month, parse_date, render_date
from anonymizer.values.numbers import ParsedNumber, format_number, parse_number, to_numbers
from anonymizer.values.places import departement_of, place_code
from anonymizer.values.text import as_text, object_text

__all__ = [
    "DateForm", "FrDate", "ParsedNumber", "as_text", "departement_of", "detect_date", "format_number",
    "is_year_month", "object_text", "parse_date", "parse_number", "place_code", "render_date", "to_numbers",
]
