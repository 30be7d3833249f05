"""Languages as folders of files: `assistant/locales/<code>/` holds, with no code,

- `messages.yaml`: the replies, `key: "text with {fields}"` (a key missing falls back to English);
  a counted reply gives its forms as `key.one`, `key.few`, `key.many` (`tr_count`);
- `commands.yaml`: each command's localized name (a second name to type, and the slash command's
  name in that Discord locale), summary and parameter descriptions (English: the code itself);
- `instructions.md`: the guide, `{{commands}}` replaced by the command table;
- `sentences.yaml`: hassil templates for free text ("выбери набор отзывы"), like the English
  `assistant/intents/sentences.yaml`.

A third language is a third folder. `message("ru", "hi", user="Аня")` reads a reply;
`tr("hi", user="Аня")` reads it in the language of the request being handled (`speaking`), so
code deep inside a command (an error about a path, a job's result) needs no language argument.
`deferred("progress.saving")` is a reply stored to be read later, by whoever reads it, in their
language: `render` reads it (a job's progress, written where no reader's language is known).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale

from .intents.templates import DEFAULT_SENTENCES
from .markup import fill
from .yaml_text import parse_yaml

LOCALES = Path(__file__).with_name("locales")
ENGLISH = "en"

_SPEAKING: ContextVar[str] = ContextVar("speaking", default=ENGLISH)
"""The language of the request being handled; asyncio tasks and `to_thread` inherit it."""


def languages() -> list[str]:
    """Language codes that have a folder (English first)."""
    codes = sorted(p.name for p in LOCALES.iterdir() if (p / "messages.yaml").is_file())
    return sorted(codes, key=lambda code: code != ENGLISH)


def chosen(stored: str | None, default: str) -> str:
    """The language a guild reads: the one it chose (`stored`), else `default` (config.yaml's),
    else English when that is no language with a folder."""
    code = stored or default
    return code if code in languages() else ENGLISH


def _yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    data = parse_yaml(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping")
    return data


@cache
def _own(language: str) -> dict[str, str]:
    """The replies `language`'s own file words."""
    return {str(k): str(v) for k, v in _yaml(LOCALES / language / "messages.yaml").items()}


@cache
def catalog(language: str) -> dict[str, str]:
    """The replies of one language, English filling the gaps."""
    return {**_own(ENGLISH), **_own(language)}


def message(language: str, key: str, **fields: Any) -> str:
    """One reply in `language`, its `{fields}` filled in (names with backticks kept whole)."""
    return fill(catalog(language)[key], fields)


def word_list(language: str, key: str) -> list[str]:
    """A catalog entry that lists words, comma-separated ("yes, y, yeah"), lower case."""
    return [w.strip().lower() for w in message(language, key).split(",") if w.strip()]


def word_pairs(language: str, key: str) -> dict[str, str]:
    """A catalog entry that pairs words, comma-separated ("u = you, dc = disconnect")."""
    pairs = (w.partition("=") for w in word_list(language, key))
    return {short.strip(): full.strip() for short, _, full in pairs if short.strip() and full}


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Within the block, `tr` answers in `language` (the app sets it around each request)."""
    token = _SPEAKING.set(language)
    try:
        yield
    finally:
        _SPEAKING.reset(token)


def current() -> str:
    """The language `tr` answers in here."""
    return _SPEAKING.get()


def tr(key: str, **fields: Any) -> str:
    """One reply in the language of the request being handled (English outside any)."""
    return message(_SPEAKING.get(), key, **fields)


def plural_key(language: str, key: str, count: float) -> str:
    """The form of reply `key` that `count` takes in `language`: `key.one`, `key.few`,
    `key.many`..., named by the number's CLDR plural category there (Babel's rules: Russian
    "1 байт", "3 байта", "5 байт", and 21 is `one` again, 22 `few`), where the language's file
    words that form; else `key` itself (English writes `.one` for 1 and the bare key for the
    rest). A reply the language leaves to English takes English's forms. A reply about exactly
    one thing ("fit on one page") is no form: its own key, `key.single`, chosen by the code."""
    code = language if key in _own(language) else ENGLISH
    form = f"{key}.{Locale.parse(code).plural_form(count)}"
    return form if form in _own(code) else key


def tr_count(key: str, count: int, language: str | None = None, **fields: Any) -> str:
    """`tr` (or `message` in `language`) of the form of `key` for `count` (`plural_key`);
    `{count}` is filled in with thousands separators. A reply that counts two things takes one
    of them counted already: `size=tr_count("number.bytes", size)`."""
    code = language or current()
    return message(code, plural_key(code, key, count), count=number_text(count, 0, code), **fields)


def number_text(value: float, places: int = 0, language: str | None = None) -> str:
    """`value` as a reply writes it in `language` (that of `tr` by default), with `places`
    decimals: thousands grouped and decimals marked the language's way (`number.group_mark`,
    `number.decimal_mark`; the spoken form reads the same marks), "1,200.5" in English and
    "1 200,5" in Russian. Every number a reply groups is written here."""
    code = language or current()
    # a whole number as it is: through a float, 2**63 - 1 would come out ...808
    text = f"{value:,}" if isinstance(value, int) and not places else f"{value:,.{places}f}"
    group, mark = message(code, "number.group_mark"), message(code, "number.decimal_mark")
    marks: dict[str, str | int | None] = {",": group, ".": mark}
    return text.translate(str.maketrans(marks))


def percent_text(share: float, places: int = 0, language: str | None = None) -> str:
    """`share` (0.875) as a percentage written the language's way (`number.percent` around
    `number_text`): "87.5%" in English, "87,5 %" in Russian, whose typography puts a no-break
    space before the sign (the one that groups its thousands). Every percentage a reply writes
    is written here."""
    code = language or current()
    return message(code, "number.percent", number=number_text(share * 100, places, code))


Field = str | int | float | dict[str, Any]
"""A field of a `deferred` reply: a value, another reply (`keyed`) or a number (`numeral`,
`percentage`), read in the same language."""


def numeral(value: float, places: int = 0) -> dict[str, Any]:
    """A number field of a `deferred` reply, written by `number_text` in the reader's language (a
    worker process knows no reader when it words a job's progress or error)."""
    return {"number": value, "places": places}


def percentage(share: float, places: int = 0) -> dict[str, Any]:
    """A share field of a `deferred` reply, written by `percent_text` in the reader's language
    (“87%”, “87 %”)."""
    return {"percent": share, "places": places}


def keyed(key: str, **fields: Field) -> dict[str, Any]:
    """Reply `key` with its fields, unread: a field of a `deferred` reply that is a reply of its
    own (“for example `train "dull and slow" false`”)."""
    if key not in catalog(ENGLISH):
        raise KeyError(key)
    return {"key": key, "fields": fields}


def deferred(key: str, **fields: Field) -> str:
    """Reply `key` as text to store now and `render` later in the reader's language: a job's
    progress is written by a backend (perhaps in a queue worker serving every guild, with no
    request around it) and read by `status` or a progress message in the guild's language, which
    may change while the job runs. An int `count` field picks the form as `tr_count` does.
    """
    return json.dumps(keyed(key, **fields), ensure_ascii=False)


def render(text: str, language: str | None = None) -> str:
    """What `deferred` stored, in `language` (else that of `tr`); any other text as it is: rows
    written before messages were stored as keys."""
    if not text.startswith("{"):
        return text
    try:
        with speaking(language or current()):
            return _read(json.loads(text))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return text  # not ours after all, or a key this version no longer has


def _read(stored: dict[str, Any]) -> str:
    """A `keyed` reply in the language of `tr`, with the replies among its fields."""
    key, fields = stored["key"], dict(stored["fields"])
    fields = {k: _field(v) if isinstance(v, dict) else v for k, v in fields.items()}
    count = fields.pop("count", None)
    if isinstance(count, int) and not isinstance(count, bool):
        return tr_count(key, count, **fields)
    if count is not None:
        fields["count"] = count
    return tr(key, **fields)


def _field(stored: dict[str, Any]) -> str:
    """A field of a `deferred` reply that is a `numeral`, a `percentage` or a `keyed` reply,
    read now."""
    if "number" in stored:
        return number_text(stored["number"], int(stored.get("places", 0)))
    if "percent" in stored:
        return percent_text(stored["percent"], int(stored.get("places", 0)))
    return _read(stored)


@cache
def command_texts(language: str) -> dict[str, dict[str, Any]]:
    """`{command: {"name": ..., "summary": ..., "params": {param: description}}}`."""
    return _yaml(LOCALES / language / "commands.yaml")


def localized_names() -> dict[str, str]:
    """Every localized command name and other name a language gives it (`aliases`: `статус`
    for `status`, whose name is `состояние`) -> the command's own name."""
    names: dict[str, str] = {}
    for code in languages():
        for command, texts in command_texts(code).items():
            for name in [texts.get("name"), *(texts.get("aliases") or [])]:
                if name:
                    names[str(name).lower()] = command
    return names


def command_name(language: str, command: str) -> str:
    """What `command` is called in `language` (`состояние` for `status` in Russian; its own
    name where the language gives it none)."""
    return str(command_texts(language).get(command, {}).get("name") or command)


def local_names(command: str) -> list[str]:
    """The command's names in every other language (`обучить` for `train`)."""
    return [name for name, own in localized_names().items() if own == command and name != command]


def summary(language: str, name: str, default: str) -> str:
    return str(command_texts(language).get(name, {}).get("summary") or default)


def param_description(language: str, command: str, param: str, default: str) -> str:
    params = command_texts(language).get(command, {}).get("params") or {}
    return str(params.get(param) or default)


def guide(language: str) -> str:
    """The guide's Markdown template (`{{commands}}` still in it)."""
    path = LOCALES / language / "instructions.md"
    if not path.is_file():
        path = LOCALES / ENGLISH / "instructions.md"
    return path.read_text(encoding="utf-8")


def sentences_file(language: str) -> Path:
    """hassil templates for free text in `language`."""
    path = LOCALES / language / "sentences.yaml"
    return path if path.is_file() else DEFAULT_SENTENCES


@cache
def label_words(label: str) -> frozenset[str]:
    """Every word the languages' templates read as the label `label` (Russian reads
    "позитивный" and "положительно" as `positive`): a dataset that says its labels in one of
    them is meant by the others too."""
    words = {label}
    for language in languages():
        data = _yaml(sentences_file(language))
        values = ((data.get("lists") or {}).get("label") or {}).get("values") or []
        for value in values:
            if isinstance(value, dict) and str(value.get("out")) == label:
                words.update(w.strip() for w in str(value.get("in", "")).strip("()").split("|"))
    return frozenset(w for w in words if w)


def language_name(language: str) -> str:
    return catalog(language)["language.name"]
