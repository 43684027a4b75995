"""``unspin eval quotes``: attribution quality on PolNeAR."""

from __future__ import annotations

from pathlib import Path

import click

from ..evaluation.attribution import evaluate_attribution

__all__ = ["eval_quotes"]


@click.command(name="quotes")
@click.option("--data", "data_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A PolNeAR split folder holding text/ and attributions/.")
@click.option("--limit", type=click.IntRange(min=1), help="Evaluate only the first N articles.")
def eval_quotes(data_dir: Path, limit: int | None) -> None:
    """Attribution (who says what) precision, recall and F1 on PolNeAR."""
    scores = evaluate_attribution(data_dir, limit=limit)
    click.echo(scores.format())
