"""Detectors: against a reference, reference-free, through an archive index; article model; pivot guess."""
