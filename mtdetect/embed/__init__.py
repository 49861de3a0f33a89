"""Sentence embeddings: the MiniLM transformer, its on-disk cache."""
