"""Training core: sources, weights, metrics, leave-one-source-out protocol, training both models, round trips."""
