from anonymizer.masking import mask_value


def test_names_keep_only_initials():
    assert mask_value("Jean DUPONT") == "J*** D*****"


def test_nir_keeps_first_three_digits_and_layout():
    assert mask_value("1 85 05 75 123 456 78") == "1 85 ** ** *** *** **"


def test_email_keeps_tld_only():
    masked = mask_value("jean.dupont42@example.fr")
    assert masked.endswith(".fr") and "dupont" not in masked and "42" not in masked


def test_short_codes_and_empty():
    assert mask_value("") == ""
    assert mask_value(None) == ""
    assert mask_value("O") == "O"
    assert "2" not in mask_value("75012")[1:]
