"""File modes for what mtdetect writes: what the user's umask allows, as `open()` would give.

Atomic writes go through mkstemp/mkdtemp, which create private (0600/0700) files; the result
is then given the mode a plain `open(path, "w")` / `mkdir` would have had.
"""

from __future__ import annotations

import os

__all__ = ["creation_mode"]


def creation_mode(directory: bool = False) -> int:
    """0666 (0777 for a directory) less the process's umask."""
    mask = os.umask(0)  # the only portable way to read it: set, then restore at once
    os.umask(mask)
    return (0o777 if directory else 0o666) & ~mask
