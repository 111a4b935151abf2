"""``anon keygen``: a new random key in a file only its owner can read."""

from __future__ import annotations

from pathlib import Path

import click

from anonymizer.cli.translated import TranslatedCommand
from anonymizer.i18n import N_, _

EPILOG = N_("""\b
Examples:
  anon keygen -o secret.key
  anon sanitize extract.csv --key-file secret.key -o safe.csv

\b
The key is 256 random bits (64 hex digits) from the operating system's generator, written
with mode 0600; an existing file is never replaced. Keep it apart from the data and the
releases: whoever holds it can recompute every pseudonym. See docs/security.md.
""")


@click.command(cls=TranslatedCommand, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help=N_("The key file to create (refused if it exists)."))
def command(output: Path) -> None:
    """Write a new random 256-bit secret key to OUTPUT (mode 0600, never overwritten)."""
    from anonymizer.keys import write_key_file

    write_key_file(output)
    click.echo(_('wrote a new 256-bit key to {output} (mode 0600); keep it apart from the data').format(output=output), err=True)
