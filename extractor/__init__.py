"""Turn crypto market news into data: liquidations, price moves, exchanges and quotes."""

__version__ = "0.1.0"
USER_AGENT = f"extractor/{__version__} (+https://github.com/extractor-news/extractor)"
