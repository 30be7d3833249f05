"""The templates of one language (sentences.yaml, with a user's intents file merged over
them), and their parse by hassil, made once per process for each set of templates."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any

import yaml
from hassil import Intents

from assistant import kept
from assistant.yaml_text import parse_yaml

DEFAULT_SENTENCES = Path(__file__).with_name("sentences.yaml")


def load_sentences(
    extra: str | Path | None = None, base: Path = DEFAULT_SENTENCES
) -> dict[str, Any]:
    """Built-in templates (`base`: one language's), with `extra` merged over them (intents
    replaced by name)."""
    data: dict[str, Any] = parse_yaml(base.read_text(encoding="utf-8"))
    if extra:
        try:
            override = parse_yaml(Path(extra).read_text(encoding="utf-8"))
            override = override or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ValueError(f"voice.intents_file {extra}: cannot be read ({exc})") from None
        for key in ("intents", "lists", "expansion_rules"):
            data.setdefault(key, {}).update(override.get(key) or {})
    return data


def templates_key(data: dict[str, Any]) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


_PARSED: dict[str, Intents] = {}
"""Parsed templates by `templates_key`: every matcher of the same templates shares them (hassil
reads them and never changes them). Parsing one language's takes 0.15-0.25 s of CPU, and a
start makes several matchers of the same templates (typed lines, the words' vote, the voice
grammar; an app per test in the suite: 139 in seven test files). A new process loads them from
the user's cache (assistant/kept.py) in 0.03 s."""
_PARSED_LOCK = threading.Lock()


def parsed(key: str, data: dict[str, Any]) -> Intents:
    with _PARSED_LOCK:
        intents = _PARSED.get(key)
        if intents is None:
            # named by the templates, hassil's version and this folder's code
            name = kept.key(key, ("hassil",), Path(__file__).parent)
            intents = kept.load_or_keep(
                "templates", name, lambda: _parse(data), lambda value: isinstance(value, Intents)
            )
            _PARSED[key] = intents
        return intents


def _parse(data: dict[str, Any]) -> Intents:
    intents = Intents.from_dict(data)
    for intent in intents.intents.values():
        for block in intent.data:
            # hassil parses a block's templates when first matched (0.26 s in all): done
            # here, at start-up, not in the first reply; and so made before the start's
            # objects are frozen (assistant/heap.py), not left for every full collection;
            # and kept parsed with the rest.
            block.sentences  # noqa: B018
    return intents
