"""The command-line interface: a thin click layer over the library functions."""

from __future__ import annotations

import json
import sys

import click

from extractor import __version__


@click.group()
@click.version_option(__version__, prog_name="extractor")
def cli() -> None:
    """Turn crypto market news into data: liquidations, price moves, exchanges and quotes."""


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--published", metavar="YYYY-MM-DD", callback=lambda ctx, param, value: _date(value),
              help="Publication date, to anchor relative dates.")
@click.option("--model", metavar="NAME", default=None, help="Add a trained spaCy pipeline's entities.")
def parse(paths: tuple[str, ...], published: str | None, model: str | None) -> None:
    """Parse article files (.txt, .html, or - for stdin) and print one JSON object per file.

    Nothing is written to any database. Example:

        extractor parse articles/*.txt --published 2021-04-20 > facts.jsonl
    """
    from extractor.parse import parse_paths

    failed = 0
    for obj in parse_paths(paths, published=published, model=model):
        if "error" in obj:
            failed += 1
            click.echo(f"extractor: {obj['source']}: {obj['error']}", err=True)
        for warning in obj.get("warnings", []):
            click.echo(f"extractor: {obj['source']}: warning: {warning}", err=True)
        click.echo(json.dumps(obj, ensure_ascii=False))
    if failed:
        sys.exit(1)


def _date(value: str | None) -> str | None:
    from extractor.parse import check_date

    try:
        return check_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
