"""French Presidio recognizers, one per module; :func:`french_recognizers` loads them all."""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer

from anonymizer.detect.recognizers.address import FrAddressRecognizer
from anonymizer.detect.recognizers.bic import FrBicRecognizer
from anonymizer.detect.recognizers.caf_matricule import FrCafMatriculeRecognizer
from anonymizer.detect.recognizers.caf_number import FrCafNumberRecognizer
from anonymizer.detect.recognizers.commune_code import FrCommuneCodeRecognizer
from anonymizer.detect.recognizers.date_fr import FrDateRecognizer
from anonymizer.detect.recognizers.fr_tax_id import FrTaxIdRecognizer
from anonymizer.detect.recognizers.iban import FrIbanRecognizer
from anonymizer.detect.recognizers.id_card import FrIdCardRecognizer
from anonymizer.detect.recognizers.nir import FrNirRecognizer
from anonymizer.detect.recognizers.passport import FrPassportRecognizer
from anonymizer.detect.recognizers.person import FrPersonRecognizer
from anonymizer.detect.recognizers.phone import FrPhoneRecognizer
from anonymizer.detect.recognizers.postal_code import FrPostalCodeRecognizer
from anonymizer.detect.recognizers.siren import FrSirenRecognizer
from anonymizer.detect.recognizers.siret import FrSiretRecognizer

FRENCH_RECOGNIZERS = (
    FrNirRecognizer, FrCafNumberRecognizer, FrCafMatriculeRecognizer, FrIbanRecognizer, FrBicRecognizer,
    FrSirenRecognizer, FrSiretRecognizer, FrTaxIdRecognizer, FrPassportRecognizer, FrIdCardRecognizer,
    FrPhoneRecognizer, FrPostalCodeRecognizer, FrCommuneCodeRecognizer, FrAddressRecognizer, FrDateRecognizer,
    FrPersonRecognizer,
)


def french_recognizers(language: str = "fr") -> list[EntityRecognizer]:
    """One fresh instance of every French recognizer, bound to ``language``."""
    return [cls(supported_language=language) for cls in FRENCH_RECOGNIZERS]
