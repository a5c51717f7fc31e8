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


@cli.command()
@click.option("--db", "db_path", default="db/demo.db", show_default=True, type=click.Path(dir_okay=False),
              help="Database to fill (created if missing; reused and resumed if there).")
@click.option("--port", default=8001, show_default=True, help="Datasette port (the next free one if taken).")
@click.option("--site-port", default=8765, show_default=True,
              help="Port of the sample news site (the next free one if taken).")
@click.option("--serve/--no-serve", default=True, show_default=True,
              help="Serve Datasette at the end, until Ctrl-C.")
def demo(db_path: str, port: int, site_port: int, serve: bool) -> None:
    """Run the whole job on the bundled sample news site, then browse the result in Datasette.

    Serves the sample site on 127.0.0.1, crawls its feeds over HTTP, extracts, imports its candle
    files, compares reported prices with them, prints a summary and starts Datasette. Running it
    again reuses what the database holds. Example:

        extractor demo --db db/demo.db --port 8001
    """
    from extractor.demo.run import run_demo

    try:
        run_demo(db_path, port=port, site_port=site_port, serve=serve, echo=click.echo,
                 progress=sys.stderr.isatty())
    except KeyboardInterrupt:
        click.echo("\nInterrupted: everything stored so far is kept; run the demo again to resume.", err=True)
        sys.exit(130)
