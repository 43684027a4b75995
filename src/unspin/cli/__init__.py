"""The ``unspin`` command line: thin commands over the Python API, the store and the trainers.

Each command lives in its own module (:mod:`.analyze`, :mod:`.corpus`,
:mod:`.serve`, :mod:`.techniques`, :mod:`.framing`, :mod:`.quotes`) as a plain
click command; this module assembles the group and maps errors to exit codes
in one place: 0 success; 1 an input could not be analysed, or a
model/configuration problem; 2 usage error; 130 interrupted. User mistakes
print one line ``unspin: error: …`` and never a traceback.
"""

from __future__ import annotations

import logging
import sys

import click

from .._version import __version__
from ..errors import UnspinError
from .analyze import analyze
from .corpus import COMMANDS as CORPUS_COMMANDS
from .framing import TASKS, eval_framing, train_framing
from .quotes import eval_quotes
from .serve import serve
from .techniques import eval_techniques, train_techniques

__all__ = ["cli", "main"]


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    try:
        cli.main(args=argv, prog_name="unspin", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("unspin: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except UnspinError as exc:
        click.echo(f"unspin: error: {exc}", err=True)
        sys.exit(1)
    except BrokenPipeError:  # `unspin analyze … | head`
        sys.stderr.close()
        sys.exit(0)
    except KeyboardInterrupt:
        click.echo("unspin: interrupted", err=True)
        sys.exit(130)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="unspin")
def cli() -> None:
    """unspin: how a news article persuades and where it comes from."""


def _show_progress() -> None:
    """Training and evaluation report progress through logging: show it on stderr."""
    logger = logging.getLogger("unspin")
    if not any(getattr(h, "unspin_progress", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.unspin_progress = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)


@cli.group(name="eval")
def eval_group() -> None:
    """Measure analysis quality against annotated data."""
    _show_progress()


@cli.group(name="train")
def train_group() -> None:
    """Train the shipped models from annotated data (seeded, reproducible)."""
    _show_progress()


for _command in (analyze, *CORPUS_COMMANDS, serve):
    cli.add_command(_command)
eval_group.add_command(eval_quotes)
train_group.add_command(train_techniques)
eval_group.add_command(eval_techniques)
for _task in TASKS:
    train_group.add_command(train_framing(_task))
    eval_group.add_command(eval_framing(_task))


if __name__ == "__main__":  # pragma: no cover
    main()
