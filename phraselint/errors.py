"""Errors a user can cause. The CLI turns each into one line and exit code 2."""

from __future__ import annotations

from collections.abc import Sequence


class PhraselintError(Exception):
    """Base of every error that is the input's fault, not the program's."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        self.message = message
        self.path = path
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        return f"{where}{self.message}"


class CatalogueError(PhraselintError):
    """A rule file is malformed, inconsistent or its own examples fail."""


class InputError(PhraselintError):
    """A transcript cannot be read: missing, binary, undecodable, malformed."""


class InputErrors(InputError):
    """Several records of one transcript could not be read (each one line naming file:line); the rest was."""

    def __init__(self, errors: Sequence[InputError]) -> None:
        self.errors = tuple(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


class ConfigError(PhraselintError):
    """A settings file or a command-line option is wrong."""
