"""The spaCy pipeline: text in, facts out. Knows nothing of HTTP or SQLite."""
