"""`python -m mtdetect ...`: the same command line as `mtdetect ...`."""

from mtdetect.cli import app

app(prog_name="mtdetect")
