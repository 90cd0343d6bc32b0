"""phraselint: keep the speech of public-service staff polite, by the letter of their service codes."""

from .errors import CatalogueError, ConfigError, InputError, PhraselintError
from .linter import Linter, check
from .model import Rule, StandardPhrase, Violation

__all__ = [
    "CatalogueError",
    "ConfigError",
    "InputError",
    "Linter",
    "PhraselintError",
    "Rule",
    "StandardPhrase",
    "Violation",
    "check",
]
__version__ = "0.1.0"
