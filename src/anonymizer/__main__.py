"""``python -m anonymizer`` is the same as the ``anon`` command."""

from anonymizer.cli.main import main

if __name__ == "__main__":
    main()
