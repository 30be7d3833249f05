"""Whether the model's own words contradict the command about to act.

A closed grammar always hears one of its own sentences: "hey trainer, can I see the guide",
which it does not know, comes out as "connect to the chat". Whisper, which writes what it
hears, often wrote the right words. When it wrote them surely and a classifier learned from
the templates (assistant/intents/guess.py) reads another command in them, the command is
refused (`second_opinion.words_vote`; bench/spoken_phrasing_bench.py measures it).
The classifier is learned in a thread of its own when the first names arrive (about a
second); until then, nothing is refused by it.
"""

from __future__ import annotations

import logging

from assistant.child_process import Stopped
from assistant.config.voice import SecondOpinionSettings
from assistant.intents.guess import GUESS_FLOOR, CommandGuesser, learn_in_background
from assistant.intents.matcher import IntentMatcher, normalize
from assistant.intents.snap import CALL_WORDS

from .asr.neural import NeuralResult

log = logging.getLogger(__name__)

COMMAND_UNSAID = 0.2
"""A command is refused only when the words give it less than this probability: "Hey train
train!" says `cancel` at 0.55 (the templates' "don't train") but `train` at 0.32. Among the
spoken phrasing bench's refusals at 13:41 on 3 December 2026, that keeps 2 right commands
("hey trainer train" in two voices) and lets 1 wrong one act ("that prediction was long": 0.28
for the feedback the grammar heard)."""


class WordsVote:
    """The classifier of one matcher's commands, learned once in the background."""

    def __init__(self, matcher: IntentMatcher) -> None:
        self.matcher = matcher
        self._guesser: CommandGuesser | None = None
        self._started = False

    def start(self) -> None:
        """Learn the classifier in its own thread (not the model's: a second of fitting would
        hold up the utterances queued behind it); once."""
        if not self._started:
            self._started = True
            # Not a daemon: see `assistant.intents.guess.learn_in_background`.
            learn_in_background(self._learn, "learn-words")

    def _learn(self) -> None:
        try:
            self._guesser = CommandGuesser(self.matcher)
        except Stopped:  # the bot is closing
            log.info("learning the commands' words stopped: closing")
        except Exception:  # the vote stays off; hearing goes on without it
            log.exception("learning the commands' words failed")

    @property
    def ready(self) -> bool:
        """Whether the classifier is learned (the vote can refuse)."""
        return self._guesser is not None

    def refusal(
        self, result: NeuralResult, rest: str, command: str, settings: SecondOpinionSettings
    ) -> str | None:
        """Why `command` is refused, given the model's transcript `result` and its words after
        any call (`rest`); None when the words agree, say nothing clear, or the transcript is
        unsure or loops (Whisper's repetition loops are written with false confidence)."""
        guesser = self._guesser
        unsure = result.avg_logprob < -settings.words_vote_unsure
        if guesser is None or not settings.words_vote or unsure or _loops(result.text):
            return None
        words = normalize(rest).split()
        while words and (words[0] in CALL_WORDS or words[0] in self.matcher.wake_words):
            words = words[1:]  # a garbled wake phrase ("Hey, train on this ...")
        chances = guesser.chances(" ".join(words))  # one prediction serves both questions
        said = max(chances, key=chances.__getitem__, default=None)
        if said is None or chances[said] < GUESS_FLOOR or said == command:
            return None
        if chances.get(command, 0.0) >= COMMAND_UNSAID:
            return None
        return f"the model wrote words that say {said}, not {command}"


def _loops(text: str) -> bool:
    """Whisper's repetition loop ("3. A model. 3. A model. 3. A model."): at least six words,
    at most half of them distinct."""
    words = normalize(text).split()
    return len(words) >= 6 and len(set(words)) * 2 <= len(words)
