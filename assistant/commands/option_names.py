"""Options named in the language spoken: `страница` is `page` on a Russian server
(`typed.option_names` in a language's messages.yaml). Typed either way (`страница:2`,
`page:2`); a refusal, a usage and `help` name an option as the language does, in English
where it has no name of its own."""

from __future__ import annotations

from functools import cache

from .. import i18n
from .registry import Command


@cache
def typed_names(language: str) -> dict[str, str]:
    """The language's names of options, each to its English name (`метка` -> `label`)."""
    return i18n.word_pairs(language, "typed.option_names")


def option_name(name: str, language: str | None = None) -> str:
    """Option `name` as `language` (the one spoken, by default) names it: its first name there,
    else `name` itself."""
    for own, english in typed_names(language or i18n.current()).items():
        if english == name:
            return own
    return name


def spoken_usage(command: Command, language: str | None = None) -> str:
    """`command.usage` with its options named in `language` (`relabel <пример> <метка>`)."""
    spoken = language or i18n.current()
    attachment = i18n.message(spoken, "usage.attachment")
    return command.usage_with(lambda name: option_name(name, spoken), attachment)
