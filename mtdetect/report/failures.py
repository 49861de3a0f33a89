"""How the command line fails: one line on stderr (`mtdetect: error: ...`) and a documented exit code.

    @guarded            a command body: InputError -> 3, ModelError -> 4, RoundTripError -> 5,
                        Ctrl-C -> 130, anything else -> 1 (a bug; MTDETECT_DEBUG=1 re-raises it)
    OneLineErrors       the typer group: click's usage errors as one line too, exit 2

Exit codes: 0 success; 1 internal error (a bug: please report it); 2 usage error (bad
option); 3 bad input (missing, empty, not UTF-8, malformed pairs, an --out mtdetect will not
write); 4 model problem (missing, damaged, untrusted, built for other features); 5 missing
external tool (Apertium or its language pair); 6 scan interrupted by its engine (a worker died,
the cluster went away): rerun the same command to resume.
"""

from __future__ import annotations

import functools
import os
import re
import sys

import typer
from typer.core import TyperGroup

try:  # typer >= 0.2x vendors its own click: its errors are these, not click's
    from typer._click import exceptions as _cx
except ImportError:  # pragma: no cover - an older typer on the real click
    from click import exceptions as _cx

EXIT_INTERNAL, EXIT_USAGE, EXIT_INPUT, EXIT_MODEL, EXIT_TOOL, EXIT_ABORTED = 1, 2, 3, 4, 5, 6

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def one_line(text: str) -> str:
    """`text` with control characters (a newline in a file name), line and paragraph separators
    and lone surrogates (undecodable file names) escaped, so a message stays one printable line."""
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                            else f"\\u{ord(m.group()):04x}", text)


def fail(message: str | list[str], code: int) -> None:
    """One line on stderr (a list: one line per item, for a pairs file's problems), then exit."""
    lines = [message] if isinstance(message, str) else message
    typer.echo("\n".join(f"mtdetect: error: {one_line(line)}" if k == 0 else one_line(line)
                         for k, line in enumerate(lines)), err=True)
    raise typer.Exit(code)


def input_message(exc: Exception) -> str | list[str]:
    """The lines of an InputError: a PairsError's problems stay one per line, each escaped."""
    problems = getattr(exc, "problems", None)
    if problems is None:
        return str(exc)
    more = getattr(exc, "more", 0)
    return list(problems) + ([f"... and {more} more problems"] if more else [])


def guarded(fn):  # noqa: ANN001 - a decorator for command bodies
    """Turn known user-facing errors into one line on stderr and a documented exit code."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003
        from mtdetect.card.card import ModelError
        from mtdetect.learn.roundtrip import RoundTripError
        from mtdetect.inputs.errors import InputError

        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except ModelError as exc:
            fail(str(exc), EXIT_MODEL)
        except InputError as exc:
            fail(input_message(exc), EXIT_INPUT)
        except RoundTripError as exc:
            fail(str(exc), EXIT_TOOL)
        except KeyboardInterrupt:
            fail("interrupted", 130)
        except BrokenPipeError:
            raise typer.Exit(0)
        except Exception as exc:  # a bug, not a user mistake
            if os.environ.get("MTDETECT_DEBUG"):
                raise
            fail(f"internal error: {type(exc).__name__}: {exc} (set MTDETECT_DEBUG=1 for a traceback)",
                  EXIT_INTERNAL)

    return wrapper



class OneLineErrors(TyperGroup):
    """Click's usage errors (an unknown option, a missing argument) as one line on stderr, exit 2,
    like every other error; help (`--help`, no arguments) as click prints it."""

    def main(self, *args, standalone_mode: bool = True, **kwargs):  # noqa: ANN002, ANN003, ANN201
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except _cx.NoArgsIsHelpError as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except _cx.UsageError as exc:
            where = f" (see {exc.ctx.command_path} --help)" if exc.ctx is not None else ""
            typer.echo(f"mtdetect: error: {one_line(exc.format_message())}{where}", err=True)
            sys.exit(EXIT_USAGE)
        except _cx.ClickException as exc:
            typer.echo(f"mtdetect: error: {one_line(exc.format_message())}", err=True)
            sys.exit(exc.exit_code)
        except typer.Abort:
            typer.echo("mtdetect: error: interrupted", err=True)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)
