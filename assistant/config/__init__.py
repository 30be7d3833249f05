"""config.yaml: one validated file. `load_config` turns any problem into one clear `ConfigError`."""

from __future__ import annotations

import os
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError, field_validator

from .conversation import ConversationSettings
from .core import Limits, Permissions, Section, TrainerSettings
from .discord import DiscordSettings
from .voice import VoiceSettings

ENV_CONFIG = "TRAINER_CONFIG"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "config.yaml"

__all__ = [
    "Config",
    "ConfigError",
    "ConversationSettings",
    "DiscordSettings",
    "Limits",
    "Permissions",
    "TrainerSettings",
    "VoiceSettings",
    "load_config",
]


class ConfigError(Exception):
    """config.yaml is missing or invalid; the message names the key and the reason."""


class Config(Section):
    prefix: str = Field("!", min_length=1, max_length=5)
    """Prefix of typed commands, as in `!train`."""
    language: str = "en"
    """Language of replies where a server has not chosen one with `language` (a folder name
    in assistant/locales/: en, ru)."""
    data_root: Path = Path("data")
    """Every path a user names is confined to this folder (relative to config.yaml's folder)."""
    allow_hard_links: bool = False
    """Read data files that have more than one hard link (off: such a file may be a host file
    linked into the data folder, so it is refused)."""
    state_dir: Path = Path("state")
    """Database, model registry and logs; never reachable by user paths."""
    storage_url: str | None = None
    """sqlite:///PATH (default: state_dir/trainer.db) or postgresql://… to scale out (README)."""
    log_level: str = "INFO"
    """DEBUG, INFO, WARNING, ERROR or CRITICAL: the least severe level written to the log."""
    limits: Limits = Limits()
    permissions: Permissions = Permissions()
    trainer: TrainerSettings = TrainerSettings()
    voice: VoiceSettings = VoiceSettings()
    conversation: ConversationSettings = ConversationSettings()
    discord: DiscordSettings = DiscordSettings()

    @field_validator("storage_url")
    @classmethod
    def _supported_storage(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("sqlite://", "postgresql://", "postgres://")):
            raise ValueError("use sqlite:///PATH or postgresql://USER@HOST/DATABASE")
        return url

    @field_validator("storage_url")
    @classmethod
    def _sqlite_form(cls, url: str | None) -> str | None:
        if url is None or not url.startswith("sqlite:"):
            return url
        if url == "sqlite://:memory:":
            return url
        if not url.startswith("sqlite:///") or url == "sqlite:///":
            raise ValueError(
                "write sqlite:///PATH with three slashes (sqlite:///trainer.db is relative to "
                "config.yaml's folder, sqlite:////var/lib/trainer.db is absolute), "
                "or sqlite://:memory:"
            )
        return url

    @field_validator("language")
    @classmethod
    def _known_language(cls, code: str) -> str:
        from assistant import i18n  # the locales folder, read lazily: config loads first

        if code not in i18n.languages():
            raise ValueError(f"no language folder {code!r} (have {', '.join(i18n.languages())})")
        return code

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, level: str) -> str:
        if level.upper() not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}, not {level!r}")
        return level.upper()

    @property
    def database_url(self) -> str:
        return self.storage_url or f"sqlite:///{self.state_dir / 'trainer.db'}"


class _OneValueAKey(yaml.SafeLoader):
    """YAML as `yaml.safe_load` reads it, but a key given twice in one mapping is refused: the
    file keeps the last silently, so `language: ru` written above the shipped `language: en`
    did nothing, without a word."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        lines: dict[Any, int] = {}
        for key_node, _value in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *defaults`: its keys may be given again, that is what it is for
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if isinstance(key, Hashable) and key in lines:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"`{key}` is given twice, on lines {lines[key]} and {line}; keep one",
                    key_node.start_mark,
                )
            if isinstance(key, Hashable):
                lines[key] = line
        return super().construct_mapping(node, deep=deep)


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def default_config() -> Path:
    """./config.yaml when the current folder has one (as `--help` says: a folder of its own,
    with its data and state beside it), else the one in the checkout."""
    here = Path("config.yaml")
    return here.resolve() if here.is_file() else DEFAULT_CONFIG


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read and validate config.yaml. Relative folders are resolved against the file's folder."""
    chosen = Path(path or os.environ.get(ENV_CONFIG) or default_config())
    if chosen.exists() and not chosen.is_file() and not chosen.is_dir():
        # `/dev/null`, a pipe: the data and state folders would be made beside it, in /dev
        device = chosen.resolve()
        raise ConfigError(f"{chosen}: not a regular file ({device} is a device or a pipe)")
    try:
        raw = yaml.load(chosen.read_text(encoding="utf-8"), Loader=_OneValueAKey) or {}
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {chosen}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None)
        raise ConfigError(
            f"{chosen}: not valid YAML{where}" + (f" ({problem})" if problem else "")
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{chosen}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{chosen}: cannot be read ({exc.strerror})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{chosen}: the top level must be a mapping of keys to values")
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise ConfigError(f"{chosen}: {_where(first['loc'])}: {first['msg']}{more}") from None
    base = chosen.resolve().parent
    config.data_root = (base / config.data_root).resolve()
    config.state_dir = (base / config.state_dir).resolve()
    if config.storage_url and config.storage_url.startswith("sqlite:///"):
        database = base / config.storage_url.removeprefix("sqlite:///")
        config.storage_url = f"sqlite:///{database.resolve()}"
    if config.voice.intents_file is not None:
        config.voice.intents_file = (base / config.voice.intents_file).resolve()
    _check_folders(chosen.resolve(), config)
    return config


def _check_folders(path: Path, config: Config) -> None:
    """Users may download anything in the data root, so it must not hold the state folder
    (the database, the log) or this file."""
    root = config.data_root
    for name, inside in (("state_dir", config.state_dir), ("the config file", path)):
        if inside == root or root in inside.parents:
            raise ConfigError(
                f"{path}: data_root ({root}) contains {name} ({inside}), so users could "
                "download it; choose a data_root folder that holds only data, e.g. `data`"
            )
