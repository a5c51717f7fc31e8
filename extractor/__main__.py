"""`python -m extractor` runs the command-line interface."""

from extractor.cli import cli

if __name__ == "__main__":
    cli()
