"""The error every input check raises: a user mistake, reported as one line (exit code 3)."""


class InputError(ValueError):
    """A user mistake in an input; str(exc) is a one-line message like 'reference.txt: not UTF-8 text'."""
