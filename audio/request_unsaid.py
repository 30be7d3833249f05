"""The wake phrase and politeness, and no request yet: "hey trainer, please ...".

The grammar recognizer always hears one of its sentences. The first piece of a request said
with a pause ("hey trainer, please" ... "what's the status") was heard as a command and acted
at once: "please" as "leave" (the bot left the channel), "okay so" as "build the model"
(train), "so" as hello, or rescued by the model's scoring as "stop". When the neural model
wrote, surely, nothing after the wake phrase but politeness, that piece is no command.
"""

from __future__ import annotations

from assistant import i18n
from assistant.config.voice import SecondOpinionSettings
from assistant.intents.address import only_politeness
from assistant.intents.matcher import IntentMatcher, normalize
from assistant.intents.snap import CallHead

from .asr.neural import NeuralResult
from .decision import Hearing, StageReport


def request_unsaid(
    first: Hearing,
    result: NeuralResult,
    head: CallHead,
    matcher: IntentMatcher,
    settings: SecondOpinionSettings,
) -> Hearing | None:
    """No command for `first` (the grammar's decision) when the model's transcript `result`,
    written surely (`words_vote_unsure`), has nothing after the wake phrase but politeness
    that says no command itself ("thank you" stays feedback). Where the grammar heard the wake
    phrase, the wake phrase alone: it waits for the rest and hears it joined
    (audio/pieces.py), or opens the window. Where it heard none, refused, as the wake phrase
    alone written by the model is (audio/scored_gate.py). None otherwise."""
    rest = normalize(head.rest)
    sure = result.avg_logprob >= -settings.words_vote_unsure
    # The cheap test first: most replies' words are a request, and matching runs the templates.
    if not sure or not rest or not only_politeness(rest, _politeness(matcher)):
        return None
    if matcher.match(rest) is not None:
        return None
    why = f"only {rest!r} after the wake phrase: the request is not said yet"
    grammar_woke = first.wake and not first.rejected
    verdict = "wake only" if grammar_woke else "rejected"
    report = StageReport(
        "neural", result.text, None, verdict, why, result.ms, sure=result.avg_logprob
    )
    stages = [*first.stages, report]
    if grammar_woke:
        return Hearing("", True, None, False, 1.0, "neural", stages)
    text = first.text if not first.rejected else ""
    return Hearing(text, False, None, True, 0.0, "neural", stages)


def _politeness(matcher: IntentMatcher) -> list[str]:
    """The grammar's skip words and the politeness and fillers people write (`typed.polite`;
    the grammar the model's words are judged against is the default sentences, English's)."""
    return [*matcher.intents.skip_words, *i18n.word_list(i18n.ENGLISH, "typed.polite")]
