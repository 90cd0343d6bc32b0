"""The names of the output formats (kept apart so the CLI can list them without importing the formatters)."""

FORMATS: tuple[str, ...] = ("text", "json", "jsonl", "github", "sarif")
