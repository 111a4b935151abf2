"""Command-line interface: one module per command, each only parses, calls and prints."""
