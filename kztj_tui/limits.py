"""The store's length limits as plain numbers: the schema builds its types from them, and ``kztj ingest`` checks a
draft against them without importing pydantic (~80 ms)."""

MAX_SHORT = 500
MAX_LONG = 20_000
