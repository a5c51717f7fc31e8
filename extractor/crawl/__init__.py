"""The crawler: feeds and article pages into SQLite, politely, incrementally and resumably."""
