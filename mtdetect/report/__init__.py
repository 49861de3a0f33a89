"""What a person reads: text/JSON/TSV/HTML rendering, plain-language wording, progress on stderr."""
