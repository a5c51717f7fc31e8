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


def db_option(func):
    """The shared --db option."""
    from extractor.schema import DEFAULT_DB

    return click.option(
        "--db", "db_path", type=click.Path(dir_okay=False), default=str(DEFAULT_DB), show_default=True,
        help="SQLite database file (created, with its folder, if missing).",
    )(func)


@cli.command()
@db_option
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Processes running the pipeline (the main process writes).")
@click.option("--all", "everything", is_flag=True,
              help="Extract every article again, not only new or stale ones.")
@click.option("--model", metavar="NAME", default=None, help="Add a trained spaCy pipeline's entities.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def extract(db_path: str, workers: int, everything: bool, model: str | None, quiet: bool) -> None:
    """Extract facts from stored articles not yet done with this pipeline version.

    Each article's facts are replaced in one transaction; running it twice changes nothing.
    Example:

        extractor extract --db db/news.db --workers 2
    """
    from tqdm import tqdm

    from extractor.extract import ExtractError, run_extract

    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="article", disable=quiet, file=sys.stderr)
        bar.update(done - bar.n)

    try:
        summary = run_extract(db_path, workers=workers, all=everything, progress=progress, model=model)
    except ExtractError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        if bar is not None:
            bar.close()
    for error in summary.errors:
        click.echo(f"extractor: {error}", err=True)
    facts = ", ".join(f"{n} {table.replace('_', ' ')}" for table, n in summary.facts.items())
    run = f"run #{summary.run_id}" if summary.run_id else "nothing to do"
    click.echo(
        f"{run}: {summary.articles} articles extracted ({facts}), {summary.up_to_date} up to date, "
        f"{len(summary.errors)} errors; pipeline {summary.pipeline_version}"
    )
    if summary.errors:
        sys.exit(1)


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8001, show_default=True, help="Port to listen on.")
def serve(db_path: str, host: str, port: int) -> None:
    """Browse the database with Datasette: read-only, with canned queries and charts.

    Example:

        extractor serve --db db/news.db --port 8001
    """
    from extractor.serve import ServeError
    from extractor.serve import serve as run_server

    try:
        run_server(db_path, host=host, port=port)
    except ServeError as exc:
        raise click.ClickException(str(exc)) from exc


@cli.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def stats(db_path: str, as_json: bool) -> None:
    """Print rows per table and the last extraction run.

    Example:

        extractor stats --db db/news.db
    """
    from extractor.stats import database_stats, format_stats

    result = database_stats(db_path)
    click.echo(json.dumps(result, indent=2) if as_json else format_stats(result))
