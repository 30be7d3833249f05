"""`python -m bench.guess_examples_check [LANGUAGE...]`: the sentences the command guesser
learns from (`assistant/intents/guess.py` `_examples`), made as a start makes them (parts of
the templates normalized once, `_said`) and as hassil's sample of every sentence gives them
(`_sampled`): asserts the two (texts, commands) are the same lists, and prints each one's CPU
time (English and Russian by default)."""

from __future__ import annotations

import sys
import time
from typing import Any

from hassil import Intents

from assistant import i18n
from assistant.intents import guess
from assistant.intents.matcher import IntentMatcher


def _by_hassil(intents: Intents, lists: dict[str, Any]) -> Any:
    raise guess._Unsure


def main(languages: list[str]) -> None:
    for language in languages or [i18n.ENGLISH, "ru"]:
        if language == i18n.ENGLISH:
            matcher = IntentMatcher()
        else:
            sentences = i18n.sentences_file(language)
            matcher = IntentMatcher(is_word=lambda _: True, sentences=sentences)
        lists = matcher.lists_with(guess._PLACEHOLDERS)
        started = time.process_time()
        made = guess._examples(Intents.from_dict(matcher.data), lists)
        fast = time.process_time() - started
        said, guess._said = guess._said, _by_hassil
        try:
            started = time.process_time()
            sampled = guess._examples(Intents.from_dict(matcher.data), lists)
            slow = time.process_time() - started
        finally:
            guess._said = said
        assert made == sampled, language
        print(
            f"{language}: {len(made[0])} sentences of {len(set(made[1]))} commands, the same;"
            f" {fast:.2f} s of CPU (hassil's sample: {slow:.2f} s)",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
