"""The model on disk: card (sealed JSON), classifier file, the numpy scorer, loading."""
