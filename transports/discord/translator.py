"""Slash command names and descriptions in the user's Discord language, from the same catalogs
as the replies (assistant/locales/<code>/commands.yaml): discord.py's `app_commands.Translator`
sends them with the commands as `name_localizations` / `description_localizations`."""

from __future__ import annotations

from discord import Locale, app_commands
from discord.app_commands import TranslationContextLocation as Where

from assistant import i18n


def catalog_language(locale: Locale) -> str | None:
    """`ru` for Discord's `ru`, `en` for `en-US`/`en-GB`; None for languages without a folder."""
    code = locale.value.split("-")[0].lower()
    return code if code in i18n.languages() and code != i18n.ENGLISH else None


class CatalogTranslator(app_commands.Translator):
    async def translate(
        self,
        string: app_commands.locale_str,
        locale: Locale,
        context: app_commands.TranslationContext,
    ) -> str | None:
        language = catalog_language(locale)
        if language is None:
            return None  # Discord shows the English default
        texts = i18n.command_texts(language)
        data = context.data
        if context.location in (Where.command_name, Where.command_description):
            entry = texts.get(getattr(data, "name", ""), {})
            key = "name" if context.location is Where.command_name else "summary"
            value = entry.get(key)
            return str(value)[:100] if value else None
        if context.location is Where.parameter_description:
            command = getattr(getattr(data, "command", None), "name", "")
            value = (texts.get(command, {}).get("params") or {}).get(getattr(data, "name", ""))
            return str(value)[:100] if value else None
        return None
