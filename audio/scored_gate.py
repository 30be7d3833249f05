"""The second opinion's gate when the neural model can score sentences (`settings.scored`).

Scoring the grammar's sentences as transcripts of the audio (audio/rescore.py) answers "how
likely is this command against what the model wrote itself"; this module turns that margin
into a decision: confirm, overrule or rescue what the grammar recognizer heard, search the
whole grammar when the transcript is noise (audio/grammar_search.py), and reject a command
addressed to a name like the wake word (audio/wake_check.py). It lives apart from the
`Hearer` (audio/hearing.py), which only routes an utterance here, so each file reads on its
own.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

from assistant.config.voice import SecondOpinionSettings
from assistant.intents.matcher import Intent, IntentMatcher, normalize
from assistant.intents.snap import CallHead, GrammarSnapper
from assistant.intents.social import SOCIAL
from assistant.intents.spoken import written_length

from .asr.neural import NeuralResult, WhisperModel
from .decision import Hearing, StageReport, accept
from .grammar_search import Searched, TrieCache, search_command
from .request_unsaid import request_unsaid
from .rescore import as_spoken, prepare, rescore, unrepeated
from .wake_check import near_names, other_name, wake_choice
from .wake_verifier import wake_probability
from .words_vote import WordsVote

SHORT_TRANSCRIPT = 2
"""Words at most in a transcript the search may not build a long command from
(`search_unheard_words`). A longer one that is noise still shows long speech: Whisper tiny
wrote "He's really good" for "hey trainer select kaggle tweets as negative"."""


@dataclass(frozen=True)
class ScoredGate:
    """The parts of one `Hearer` the scored gate reads. Made per decision: the hearer's
    `settings` may be swapped at any time (the benches and tests tune them)."""

    neural: WhisperModel
    matcher: IntentMatcher
    snapper: GrammarSnapper
    settings: SecondOpinionSettings
    tries: TrieCache
    """The grammar's sentences as a token trie, shared with the hearer (it builds them)."""
    words: WordsVote | None = None
    """Whether the model's own words contradict a command (audio/words_vote.py)."""

    def judge(
        self, first: Hearing, result: NeuralResult, reason: str, in_window: bool, head: CallHead
    ) -> Hearing:
        """The gate on scored candidates (audio/rescore.py): the most probable grammar sentence
        acts when it is nearly as probable as the model's own transcript."""
        s = self.settings
        if reason in ("verify_wake", "rescue") and head.wake and head.rest:
            unsaid = request_unsaid(first, result, head, self.matcher, self.settings)
            if unsaid is not None:
                return unsaid
        if reason == "verify_wake" and head.wake and head.rest:
            agreed = self._agreed(first, result, head)
            if agreed is not None:
                return agreed
        grammar = first.intent if not first.rejected else None
        best = rescore(
            self.neural,
            result,
            self.snapper,
            head,
            grammar,
            first.wake,
            s.grammar_bonus,
            result.candidates,
        )
        margin = best.margin if best is not None else None
        ms = result.ms + (best.ms if best is not None else 0.0)
        sentence = best.sentence if best is not None else ""

        def report(verdict: str, why: str) -> StageReport:
            return StageReport(
                "neural", result.text, margin, verdict, why, ms, sentence, result.avg_logprob
            )

        later: list[StageReport] = []
        """Stages after the neural one (the search), shown after it."""

        def reject(why: str) -> Hearing:
            stages = [*first.stages, report("rejected", why), *later]
            text = first.text if not first.rejected else ""
            return Hearing(text, False, None, True, 0.0, "neural", stages)

        with_wake = best is not None and best.wake and best.margin >= -s.scored_gate
        # In a window the gate is per token: a longer command's margin sums more tokens'
        # doubts ("Archi McAngle tweets over" for "archive the kaggle tweets folder").
        per_token = best.margin / (len(self.neural.tokens(best.sentence)) + 1) if best else None
        in_window_ok = (
            best is not None
            and not best.wake
            and in_window
            and per_token is not None
            and per_token >= -s.window_gate_per_token
        )
        gate = f"{margin:.1f} >= -{s.scored_gate}" if margin is not None else ""
        written = head.other_name
        """A name the model wrote in the wake word's place ("Hey, Trina, thank you")."""
        if with_wake and best is not None:
            name = self.called_name(result, [best.sentence], written, first)
            if name is not None:
                return reject(f"addressed to {name!r}, not to me")
            unsure = not head.wake and (first.rejected or not first.wake)
            """Rescued with no wake phrase heard by either stage: only the sound tells."""
            instead = self.other_choice(result) if unsure else None
            if instead is not None:
                return reject(instead)
            if first.intent is not None and best.intent.same_command(first.intent):
                stages = [*first.stages, report("confirmed", f"the same command, {gate}")]
                return replace(first, wake=True, confidence=_likelihood(best.margin), stages=stages)
            if first.intent is not None and _says_less(best.intent, first.intent):
                why = f"the same command, the grammar heard more of it, {gate}"
                stages = [*first.stages, report("confirmed", why)]
                return replace(first, wake=True, confidence=_likelihood(best.margin), stages=stages)
            why = "a surer command" if first.intent is not None else f"rescued, {gate}"
            return accept(first, best.intent, True, _likelihood(best.margin), report, why)
        if reason == "verify_wake" and (margin is None or margin >= -s.keep_floor):
            assert first.intent is not None
            # Kept when nothing is surer: Whisper tiny garbles accented and noisy speech, and
            # dropping what the grammar heard cost more commands than it saved false accepts.
            name = self.called_name(result, self._as_said(first), written, first)
            if name is not None:
                return reject(f"addressed to {name!r}, not to me")
            other = self.other_words(result, head, first.intent.name)
            if other is not None:
                return reject(other)
            if best is not None and not best.intent.same_command(first.intent):
                # Another command beat the grammar's own sentence despite its bonus: the model
                # contradicts it, though not surely enough to act itself ("test the model on
                # kaggle tweets", heard by the grammar as "fit the model on ..." and by the
                # model as "Test the Model on Cattle Tweets").
                return reject(f"the model finds {best.intent.name} likelier, not sure enough")
            stages = [*first.stages, report("kept", "no surer command was heard")]
            return replace(first, stages=stages)
        if written is not None:
            return reject(f"addressed to {written!r}, not to me")
        extra = _extra_letters(result.text, best.sentence) if in_window_ok and best else 0
        if extra > s.window_extra_letters:
            return reject(f"{extra} letters more than the command: said about something else")
        if in_window_ok and best is not None:
            # As after the wake phrase, a surer command overrules the grammar's: it was among
            # the candidates, favored, and lost ("thank you" heard by the grammar as "come here").
            overruled = first.intent is not None and not best.intent.same_command(first.intent)
            why = f"{per_token:.2f} per token >= -{s.window_gate_per_token} in a follow-up window"
            why = f"a surer command, {why}" if overruled else why
            return accept(first, best.intent, False, _likelihood(best.margin), report, why)
        if reason == "rescue" and head.wake and not head.rest:
            if not first.rejected:
                stages = [*first.stages, report("wake only", "the wake phrase alone")]
                return Hearing("", True, None, False, 1.0, "neural", stages)
            # The model wrote the wake phrase and nothing else: every word of a command the
            # search found would be made up ("Hey trainer help me" for "hey trainer" in
            # reverb). Nor is it a wake phrase to open a window on: the grammar rejected it,
            # and "hey train her", written "Hey, trainer", scores 0.48-0.999 with the wake-word
            # verifier where the wake phrase alone scores 0.99 and above (tuning and
            # calibration voices, bench/README.md): no floor keeps them apart.
            return reject("the wake phrase alone, which the grammar heard as other words")
        if reason == "rescue" and s.search:
            found = self.search_grammar(result)
            if found is not None:
                verdict = found.margin >= -s.search_gate
                why = f"{found.margin:.2f} per token {'>=' if verdict else '<'} -{s.search_gate}"
                unheard = _unheard_words(result.text, found.sentence)
                short = _written_words(result.text) <= SHORT_TRANSCRIPT
                if verdict and short and unheard > s.search_unheard_words:
                    verdict, why = False, f"{unheard} words more than the model heard"
                # A greeting or thanks is a few words the search fits to whatever follows a
                # name near the wake word ("hey train her" found as "Hey trainer how are you":
                # 4 of 14 such calls in seven espeak-ng voices, 1 of 24 on the tuning voices),
                # and on the tuning voices it found none that was said. Missed, it is said again.
                if verdict and found.intent.name in SOCIAL:
                    verdict, why = (
                        False,
                        f"{found.intent.name} is social talk, which the search fits to other calls",
                    )
                searched = StageReport(
                    "search",
                    found.sentence,
                    found.margin,
                    "accepted" if verdict else "rejected",
                    why,
                    found.ms,
                    found.sentence,
                )
                name = self.called_name(result, [found.sentence], written) if verdict else None
                instead = self.other_choice(result) if verdict and name is None else None
                if verdict and name is None and instead is None:
                    instead = self.other_words(result, head, found.intent.name)
                if name is not None or instead is not None:
                    refusal = f"addressed to {name!r}, not to me" if name else str(instead)
                    later.append(replace(searched, verdict="rejected", why=refusal))
                    return reject("nothing near it passed")
                later.append(searched)
                if verdict:
                    intent = replace(found.intent, wake=True)
                    stages = [*first.stages, report("rejected", "nothing near it passed"), searched]
                    return Hearing(
                        intent.text,
                        True,
                        intent,
                        False,
                        _likelihood(found.margin),
                        "search",
                        stages,
                    )
        if best is None:
            return reject("nothing like a command")
        if not best.wake and per_token is not None and per_token >= -s.window_gate_per_token:
            return reject("the likeliest command has no wake phrase, outside a follow-up window")
        return reject(f"not sure enough ({-best.margin:.1f} below the model's own words)")

    def other_words(self, result: NeuralResult, head: CallHead, command: str) -> str | None:
        """Why `command` is refused for the model's own words (audio/words_vote.py), or None."""
        if self.words is None:
            return None
        return self.words.refusal(result, head.rest, command, self.settings)

    def _agreed(self, first: Hearing, result: NeuralResult, head: CallHead) -> Hearing | None:
        """The model wrote the wake phrase and the very command the grammar heard: confirmed
        without scoring the sentences near its words (they could only find the same command,
        at a margin of about 0; scoring them costs about 100 ms on two cores). The
        near-name check still runs. None when the two do not agree word for word."""
        assert first.intent is not None
        written = self.matcher.match(head.rest)
        if written is None or not written.same_command(first.intent):
            return None
        stages = list(first.stages)
        started = time.perf_counter()
        # The model's own words were checked beside the grammar (`work_ahead`); they
        # are the same command, so that check stands for the grammar's words.
        own = self._own_words(result, head)
        checked = result.name_check is not None and result.name_check[0] == tuple(own)
        name = self.called_name(result, own if checked else self._as_said(first))
        ms = result.ms + (time.perf_counter() - started) * 1000
        s = self.settings
        spoken = as_spoken(head.rest)
        report = StageReport("neural", result.text, 0.0, "", "", ms, spoken, result.avg_logprob)
        if name is not None:
            why = f"addressed to {name!r}, not to me"
            stages.append(replace(report, verdict="rejected", why=why))
            return Hearing(first.text, False, None, True, 0.0, "neural", stages)
        why = f"the same words, wake phrase included (0.0 >= -{s.scored_gate})"
        stages.append(replace(report, verdict="confirmed", why=why))
        return replace(first, wake=True, confidence=1.0, stages=stages)

    def _as_said(self, first: Hearing) -> list[str]:
        """The grammar's command as spoken, with the wake phrase the grammar heard (each wake
        phrase when its words do not tell)."""
        assert first.intent is not None
        heard = first.stages[0].heard if first.stages else ""
        phrases = self.matcher.wake_phrases
        chosen = [p for p in phrases if heard.startswith(p + " ") or heard == p] or phrases
        return [as_spoken(f"{p} {first.intent.text}") for p in chosen]

    def work_ahead(self, result: NeuralResult, head: CallHead) -> NeuralResult:
        """`result` with what can be done before the grammar's answer is in (run beside the
        grammar recognizer, so the decision need not wait for it): the wake-word check of its
        own words when they are a command after the wake phrase (`name_check`), else the
        candidates the grammar's answer will be rescored against (`candidates`)."""
        if not head.rest:
            return result
        if not head.wake or self.matcher.match(head.rest) is None:
            # Other words than a command after the wake phrase: whatever the grammar heard
            # is rescored against the sentences near them, which can be made and decoded now.
            prepared = prepare(self.neural, result, self.snapper, head)
            return replace(result, candidates=prepared)
        sentences = self._own_words(result, head)
        name = self.called_name(result, sentences)
        return replace(result, name_check=(tuple(sentences), name))

    def _own_words(self, result: NeuralResult, head: CallHead) -> list[str]:
        """The model's words as the near-name check reads them, with the wake phrase it wrote."""
        text = normalize(result.text)
        phrases = self.matcher.wake_phrases
        chosen = [p for p in phrases if text.startswith(p + " ")] or phrases
        return [as_spoken(f"{p} {head.rest}") for p in chosen]

    def called_name(
        self,
        result: NeuralResult,
        sentences: list[str],
        written: str | None = None,
        first: Hearing | None = None,
    ) -> str | None:
        """A name like the wake word that the audio more probably said, by more than
        `near_name_margin` (audio/wake_check.py), or the name the model wrote in the wake word's
        place (`written`) unless the wake word is more probable by `written_name_margin`, or,
        where the grammar (`first`) and the wake-word verifier both heard the wake word, unless
        the name is more probable by `written_name_confirmed_margin`; None when the wake word
        stands."""
        if written is None and result.name_check is not None:
            checked, name = result.name_check
            if checked == tuple(sentences):
                return name
        s = self.settings
        wake = self.matcher.wake_words
        margins: dict[str, float] = {}
        if s.near_name_margin:
            exclude = self.snapper.vocabulary | frozenset(s.wake_aliases)
            margins = dict.fromkeys(near_names(wake, exclude), s.near_name_margin)
        if written is not None:
            # The model wrote this name itself, so it is the likelier unless the sound says
            # otherwise: the wake word must win by a margin, not merely tie.
            margins[written] = -s.written_name_margin
            if first is not None and self._wake_heard(first, result):
                # Two other hearings of the wake word outvote a name the model wrote nearly as
                # probable as the wake word (tiny.en writes "trainer" as "traitor", "Trina" in a
                # room): the name must then be the likelier by a margin itself.
                margins[written] = s.written_name_confirmed_margin
        if not margins:
            return None
        return other_name(self.neural, result, sentences, wake, margins)

    def _wake_heard(self, first: Hearing, result: NeuralResult) -> bool:
        """The grammar heard the wake phrase and a command, and the wake-word verifier
        (audio/wake_verifier.py) confirms the wake word."""
        s = self.settings
        if first.intent is None or not first.wake or not s.wake_verifier:
            return False
        found = wake_probability(first, self.neural, result, s, self.matcher.wake_phrases)
        return found is not None and found[1] >= s.wake_verifier_floor

    def other_choice(self, result: NeuralResult) -> str | None:
        """Why a command is not for me when the model, forced to begin with the wake
        phrase's first word, would write another word than the wake word by more than
        `wake_choice_gate` ("hey tina": "Tina"); None when the wake word is its choice or
        near it (audio/wake_check.py `wake_choice`)."""
        gate = self.settings.wake_choice_gate
        if not gate:
            return None
        choice = wake_choice(self.neural, result, self.matcher.wake_phrases)
        if choice is None or choice.margin >= -gate:
            return None
        heard = f"{choice.instead!r} ({choice.margin:.1f} < -{gate})"
        return f"after the greeting the model hears {heard}, not the wake word"

    def search_grammar(self, result: NeuralResult) -> Searched | None:
        """The whole grammar searched through the model (audio/grammar_search.py)."""
        s = self.settings
        trie = self.tries.get(self.neural, self.matcher.wake_phrases, self.snapper.sentences)
        return search_command(
            self.neural, result, trie, self.matcher, s.search_beam, s.search_length_bonus
        )


def _says_less(heard: Intent, grammar: Intent) -> bool:
    """`heard` is `grammar`'s command with only some of its options ("correct that" for the
    grammar's "correct that to negative"): the model lost the end of the sentence, it did not
    hear another command, so it does not overrule what the grammar heard. Measured on tuning,
    calibration and three more espeak-ng voices: the model's shorter sentence won twice, both
    times where the grammar had heard the whole command."""
    if heard.name != grammar.name or len(heard.slots) >= len(grammar.slots):
        return False
    return all(grammar.slots.get(key) == value for key, value in heard.slots.items())


def _written_words(transcript: str) -> int:
    """Words the model wrote (a repetition loop once; "8-rained" is two)."""
    return len(normalize(unrepeated(transcript)).replace("-", " ").split())


def _unheard_words(transcript: str, sentence: str) -> int:
    """How many more words the sentence has than the model wrote: the search made them up."""
    return written_length(normalize(sentence).split()) - _written_words(transcript)


def _extra_letters(transcript: str, sentence: str) -> int:
    """How many more letters (and digits) the model wrote than the command sentence has:
    garbling splits words ("Select the set will be when used" for "select dataset movie
    reviews") but keeps about their length."""
    return _letters(unrepeated(transcript)) - _letters(sentence)


def _letters(text: str) -> int:
    return sum(c.isalnum() for c in text)


def _likelihood(margin: float) -> float:
    """A margin in log probability as a confidence in [0, 1]: how likely the command's words
    are against the model's own transcript."""
    return min(1.0, math.exp(margin))
