"""Imported once by the forkserver that starts the recognition workers
(states/recognition_processes.py) and every other child of the bot
(assistant/child_process.py), so that each worker it forks starts with what every worker
reads the same way: the modules a grammar recognizer needs, the pronouncing dictionary and the
default templates, parsed.

Each worker read them itself: 0.4 s of CPU to import, 0.2 s for cmudict (126,000 words), 0.2 s
to parse the templates, besides building its grammar. A bot starts a pool of workers at `join`
and a fresh one whenever the speakable names change (a dataset added); a process that starts
bots one after another (the test suite) keeps its forkserver, and each pool began from nothing.
The forked workers share the dictionary's pages with the forkserver instead of each holding a
copy (about 50 MB).

Nothing here may fail the forkserver (which would fail every pool): whatever cannot be read
now is read by each worker, as before.
"""

from __future__ import annotations

import contextlib
import importlib

MODULES = (
    "assistant.config",  # bot.py's imports: a worker of the console runs bot.py as __mp_main__
    "assistant.errors",
    "assistant.logs",
    "assistant.startup",
    "audio.asr.factory",  # what a worker builds its recognizer with
    "audio.asr.pocketsphinx_engine",
    "states.recognition_processes",
)

with contextlib.suppress(Exception):
    for name in MODULES:
        importlib.import_module(name)
    from assistant.config.voice import VoiceSettings
    from assistant.intents.matcher import IntentMatcher
    from audio.asr.pronounce import Lexicon

    _settings = VoiceSettings()
    # The dictionary and the parsed templates are kept per process (by path, by templates).
    Lexicon(_settings.asr.pocketsphinx_dict).is_word("trainer")
    IntentMatcher.from_settings(_settings)
