"""Typed lines in another script than their language's: a line of two scripts read by the
words of one ("select датасет kaggle tweets"), the guild's language typed in Latin letters
("otmeni obuchenie"), emoji typed for words ("🛑", "❌ negative"), and chat shorthand
written out ("ds" is "dataset").

Apart from the sentence reading of `Reader` (assistant/reading.py), as the typed arguments
are (assistant/typed_arguments.py) and the command-line ones (assistant/command_lines.py):
`Reader` is made of all four.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from . import i18n
from .intents.dictated import with_marks
from .intents.emoji_words import as_words
from .intents.matcher import IntentMatcher, normalize
from .intents.mixed_script import scripts_differ
from .intents.spelling import respelled_in_place
from .intents.transliterated import written_back
from .messages import Request


class OtherScriptReading:
    """The other-script readings of a `Reader`, which supplies the guilds' languages and names,
    its politeness words and its sentence reading."""

    _language: Callable[[str], str]
    _lists: Callable[[str], dict[str, list[str]]]

    if TYPE_CHECKING:  # the `Reader`'s own (assistant/reading.py)

        def intents_for(self, language: str) -> IntentMatcher: ...

        def _politeness(self) -> set[str]: ...

    def _past_other_script(
        self, text: str, guild_id: str, again: Callable[[str], Request | None]
    ) -> Request | None:
        """A line of two scripts read by the words of one ("select датасет kaggle tweets" as
        "select kaggle tweets"), when each word of the other is a word of the same command's
        sentences in some language ("датасет" of `select_dataset`'s Russian ones): people
        switch keyboards mid-line, and no template reads a line of two languages. The guild's
        names are kept on both sides."""
        words = text.split()
        names = self._name_words(guild_id)
        # each word's script: True Latin letters only, False others, None no letters or a name
        scripts = [
            None
            if normalize(w) in names or not any(c.isalpha() for c in w)
            else not scripts_differ("a", w)
            for w in words
        ]
        if True not in scripts or False not in scripts:
            return None
        for keep in (True, False):
            kept = [w for w, script in zip(words, scripts, strict=True) if script in (keep, None)]
            dropped = [
                w
                for w, script in zip(words, scripts, strict=True)
                if script is not keep and script is not None
            ]
            found = again(" ".join(kept))
            if found is not None and all(
                any(
                    found.command in self.intents_for(code).typed.command_words.get(word, ())
                    for code in i18n.languages()
                )
                for w in dropped
                if (word := normalize(w))
            ):
                return found
        return None

    def _transliterated(
        self, text: str, guild_id: str, again: Callable[[str], Request | None]
    ) -> Request | None:
        """A line of the guild's language typed in Latin letters ("otmeni obuchenie",
        "arhiviruy reviews_ru"), read as written back in its script
        (assistant/intents/transliterated.py). The guild's names, file names, politeness
        ("pls") and longer English words of the templates ("voice") stay as written."""
        language = self._language(guild_id)
        letters = i18n.word_pairs(language, "typed.transliteration")
        if not letters:
            return None
        names = self._name_words(guild_id)
        english = self.intents_for(i18n.ENGLISH).typed.template_words
        polite = self._politeness()

        def keep(word: str, english_too: bool = True) -> bool:
            said = normalize(word)
            return (
                said in names
                or said in polite
                or (english_too and len(said) > 3 and said in english)
                or any(not c.isalpha() and c not in "'’-" for c in word)
            )

        # An English line on a Russian server ("correct me, it's at 5") is no Russian in Latin
        # letters: most of its words are the English templates' own ("me" became "ме").
        said = [normalize(w) for w in text.split() if any(c.isalpha() for c in w)]
        if 2 * sum(word in english for word in said) > len(said):
            return None
        written = written_back(text, letters, keep)
        found = None if written is None else again(written)
        if found is None:
            # "obuchi model": "model" is the Russian "модель" spelt out, not the English word
            spelt_out = written_back(text, letters, lambda word: keep(word, english_too=False))
            found = None if spelt_out in (None, written) else again(spelt_out)
        return found

    def _emoji_written(
        self, text: str, guild_id: str, again: Callable[[str], Request | None]
    ) -> Request | None:
        """A line with emoji that stand for words ("🛑", "❌ negative"), read with them written
        out (assistant/intents/emoji_words.py), or with the marks of a name said as words
        written as marks ("zip movie underscore reviews", "report точка txt";
        assistant/intents/dictated.py), in the guild's language, else in English."""
        for language in dict.fromkeys((self._language(guild_id), i18n.ENGLISH)):
            for written in (
                as_words(text, i18n.word_pairs(language, "typed.emoji")),
                with_marks(text, i18n.word_pairs(language, "typed.dictated")),
            ):
                found = None if written is None else again(written)
                if found is not None:
                    return found
        return None

    def _written_out(self, line: str, guild_id: str) -> str:
        """`line` with the chat shorthand of the guild's language and English written out
        (`typed.shorthand`: "ds" is "dataset", "rn" "right now"), else as it came."""
        for language in dict.fromkeys((self._language(guild_id), i18n.ENGLISH)):
            shorthand = i18n.word_pairs(language, "typed.shorthand")
            if any(normalize(word) in shorthand for word in line.split()):
                return respelled_in_place(line, (), shorthand)
        return line

    def _name_words(self, guild_id: str) -> set[str]:
        """The guild's names of data and each of their words, as a line's words normalize
        (`kaggle_tweets`, "kaggle", "tweets")."""
        return {
            part
            for values in self._lists(guild_id).values()
            for name in values
            for part in (normalize(name), *normalize(name.replace("_", " ")).split())
        }
