"""mtdetect: sentence-level detection of round-trip machine translation against a reference."""

__version__ = "0.1.0"
