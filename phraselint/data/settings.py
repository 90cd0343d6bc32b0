"""Settings: ``[tool.phraselint]`` in pyproject.toml or a ``phraselint.toml``, found upward from the working
directory (the first directory that has either wins; phraselint.toml before pyproject.toml), else the user's
``phraselint.toml`` in the user configuration directory (platformdirs: ``$XDG_CONFIG_HOME/phraselint`` on Linux,
``%APPDATA%\\phraselint`` on Windows, ``~/Library/Application Support/phraselint`` on macOS), else the
defaults. Command-line options override settings.

Which files are checked: ``exclude`` (replacing the default list) and ``extend-exclude`` (added to it) are glob
patterns matched against each path relative to the settings file's directory, and against each of its parts
(``drafts`` excludes every directory of that name); ``per-file-ignores`` maps a glob pattern to the rule ids or
situations not reported in the files it matches (ruff's names and meanings)."""

from __future__ import annotations

import fnmatch
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from ..errors import ConfigError
from ..model import SEVERITIES

# Directories no one means to check: version control, environments, build output (ruff's list, trimmed).
DEFAULT_EXCLUDE = (".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", "build", "dist")


def _matches(patterns: tuple[str, ...], path: str, root: Path) -> bool:
    """Whether a glob pattern matches ``path`` relative to ``root`` (``/`` separators), or one of its parts."""
    if not patterns or path == "-":
        return False
    absolute = Path(path).resolve()
    try:
        relative = absolute.relative_to(root).as_posix()
    except ValueError:
        relative = Path(path).as_posix()
    parts = relative.split("/")
    return any(
        fnmatch.fnmatchcase(relative, pattern) or any(fnmatch.fnmatchcase(part, pattern) for part in parts)
        for pattern in patterns
    )


@dataclass(frozen=True)
class Settings:
    rules: tuple[str, ...] = ()  # extra rule files, made absolute against the settings file
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, str], ...] = ()  # (rule id, severity): a tuple so Settings is hashable
    staff: tuple[str, ...] = ()  # speaker names that are staff; when set, every other speaker is a visitor
    visitors: tuple[str, ...] = ()  # extra speaker names that are visitors
    allow: tuple[str, ...] = ()
    slots: tuple[tuple[str, str], ...] = ()
    fail_on: str = "warning"
    script: str = "auto"
    scoring: str | None = None  # a scoring sheet over rules/scoring.yml (report)
    conversation_rules: str | None = None  # conversation rules over rules/conversation.yml
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE  # glob patterns of paths never walked into
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (glob pattern, rule ids or situations)
    source: str | None = None  # the file the settings came from
    explicit: tuple[str, ...] = ()  # the settings the file set (by field name), for --show-settings

    @property
    def root(self) -> Path:
        """The directory patterns are relative to: the settings file's, else the working directory."""
        return Path(self.source).resolve().parent if self.source else Path.cwd()

    def excluded(self, path: str) -> bool:
        """Whether ``path`` matches ``exclude`` or ``extend-exclude``."""
        return _matches((*self.exclude, *self.extend_exclude), path, self.root)

    def ignored_here(self, path: str) -> tuple[str, ...]:
        """The rule ids and situations ``per-file-ignores`` silences in ``path``."""
        root = self.root
        return tuple(
            x for pattern, names in self.per_file_ignores if _matches((pattern,), path, root) for x in names
        )


_LISTS = {"rules", "select", "ignore", "staff", "visitors", "allow", "exclude", "extend-exclude"}
_TABLES = {"severity", "slots"}
_TEXTS = {"fail-on": "fail_on", "script": "script"}
_PATHS = {"scoring": "scoring", "conversation-rules": "conversation_rules"}  # resolved against the file


def _parse(table: Mapping[str, Any], path: Path) -> Settings:
    values: dict[str, Any] = {"source": str(path)}
    for key, value in table.items():
        if key == "per-file-ignores":
            if not isinstance(value, dict) or not all(
                isinstance(v, list) and all(isinstance(x, str) for x in v) for v in value.values()
            ):
                raise ConfigError("'per-file-ignores' must be a table of lists of rule ids", str(path))
            values["per_file_ignores"] = tuple((k, tuple(v)) for k, v in value.items())
        elif key in _LISTS:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"'{key}' must be a list of strings", str(path))
            if key == "rules":
                value = [str((path.parent / v).resolve()) for v in value]
            values[key.replace("-", "_")] = tuple(value)
        elif key in _TABLES:
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise ConfigError(f"'{key}' must be a table of strings", str(path))
            values[key] = tuple(sorted(value.items()))
        elif key in _TEXTS:
            if not isinstance(value, str):
                raise ConfigError(f"'{key}' must be a string", str(path))
            values[_TEXTS[key]] = value
        elif key in _PATHS:
            if not isinstance(value, str):
                raise ConfigError(f"'{key}' must be a file path", str(path))
            values[_PATHS[key]] = str((path.parent / value).resolve())
        else:
            known = sorted(_LISTS | _TABLES | set(_TEXTS) | set(_PATHS) | {"per-file-ignores"})
            raise ConfigError(f"unknown setting '{key}' (known: {', '.join(known)})", str(path))
    values["explicit"] = tuple(k for k in values if k != "source")
    settings = Settings(**values)
    if settings.fail_on not in SEVERITIES:
        raise ConfigError(f"'fail-on' must be one of {', '.join(SEVERITIES)}", str(path))
    return settings


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data: dict[str, Any] = tomllib.load(fh)
            return data
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"malformed TOML: {exc}", str(path)) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"not UTF-8 (byte {exc.object[exc.start]:#04x} at offset {exc.start}): TOML files are UTF-8; save it so",
            str(path),
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read settings: {exc.strerror}", str(path)) from None


def load_settings_file(path: Path) -> Settings:
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("phraselint", {})
    else:
        table = data.get("tool", {}).get("phraselint", data)
    if not isinstance(table, dict):
        raise ConfigError("[tool.phraselint] must be a table", str(path))
    return _parse(table, path)


_OUR_TABLE = re.compile(
    rb"^[ \t]*(?:\[+[ \t]*tool[ \t]*\.[ \t]*[\"']?phraselint|tool[ \t]*\.[ \t]*phraselint)", re.M
)


def _names_our_table(path: Path) -> bool:
    """Whether a pyproject.toml that cannot be read as TOML still shows a ``[tool.phraselint`` table."""
    try:
        return _OUR_TABLE.search(path.read_bytes()) is not None
    except OSError:
        return False


def find_settings_file(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        own = directory / "phraselint.toml"
        if own.is_file():
            return own
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            try:
                tool = _read_toml(pyproject).get("tool", {})
            except ConfigError:
                if _names_our_table(pyproject):
                    raise  # ours, and unreadable: say so, never fall back to other settings silently
                continue  # a broken pyproject.toml of another project is not ours to report
            if isinstance(tool, dict) and "phraselint" in tool:
                return pyproject
    home = user_settings_path()
    return home if home.is_file() else None


def user_settings_path() -> Path:
    """The user's own settings file, in the user configuration directory of the platform."""
    import platformdirs

    return platformdirs.user_config_path("phraselint", appauthor=False) / "phraselint.toml"


def load_settings(config: str | None = None, isolated: bool = False) -> Settings:
    """The settings in force: ``config`` if given, else the discovered file, else the defaults."""
    if isolated:
        return Settings()
    if config:
        path = Path(config)
        if not path.is_file():
            raise ConfigError("settings file not found", config)
        return load_settings_file(path)
    found = find_settings_file()
    return load_settings_file(found) if found else Settings()


def override(settings: Settings, **changes: Any) -> Settings:
    """Settings with the given command-line values (None or empty means: keep the setting)."""
    names = {f.name for f in fields(Settings)}
    return replace(settings, **{k: v for k, v in changes.items() if k in names and v not in (None, (), {})})
