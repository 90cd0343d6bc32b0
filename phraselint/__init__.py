"""phraselint: keep the speech of public-service staff polite, by the letter of their service codes."""

# The layer phraselint.check (turns → findings) is imported first, so that its name on this package is then
# bound, once and for all, to the function phraselint.check (a sub-module imported later binds on its own
# package, never here).
from . import check as _check_layer  # noqa: F401  # isort: skip
from .engine.linter import Linter, check  # isort: skip
from .errors import CatalogueError, ConfigError, InputError, PhraselintError
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
