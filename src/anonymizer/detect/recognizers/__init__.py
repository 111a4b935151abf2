"""detect/recognizers."""
