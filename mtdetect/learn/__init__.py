"""Training core (issue 21 layout): what turns labelled data into the shipped models."""
