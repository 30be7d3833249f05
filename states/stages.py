"""The stages of a guild's voice conversation: recognize, act, speak; and the listener that
starts them.

The machine (`states/conversation.py`) only keeps bookkeeping. When it enters transcribing,
acting or speaking, `StageHooks` starts that state's stage as a task of the session
(`states/session.py`); the stage does the slow work (recognition, the command, speech synthesis
and playback) and reports back with an event stamped with the serial of the state entry it
belongs to, which the machine drops when stale. Apart from the session, which turns audio into
events and owns the tasks, the trace and the outputs: this is what each state does.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from typing import TYPE_CHECKING, Any

from assistant import i18n
from assistant.commands.basic import already_joined
from assistant.intents.matcher import normalize
from assistant.messages import Reply
from audio.decision import Hearing, says_yes
from audio.pieces import Heard
from audio.speech_text import spoken_text
from audio.tts.base import Speech
from audio.vad.base import UtteranceEnded

from .piece_joining import rest_of_request
from .sayings import APOLOGY, Saying
from .streams import BYTES_PER_S

if TYPE_CHECKING:
    from .session import GuildVoiceSession

log = logging.getLogger(__name__)

OWN_WORDS = {
    "apology": "voice.apology",
    "not_understood": "voice.not_understood",
    "prompt": "voice.listening",
}
"""What the session says in its own words (the machine's English constants name them), read
from the guild language's catalog; answers and announcements are the commands' words."""


class Stages:
    """The stages of one guild's session; each runs as a task and ends with an event."""

    def __init__(self, session: GuildVoiceSession) -> None:
        self.s = session
        self._voice_lock = asyncio.Lock()
        self._answer_origin: float | None = None
        """Wall time the current answer's utterance ended, for end-of-speech-to-audio latency."""
        self._heard_from: str | None = None
        """Who said the utterance last heard (the one a hint answers)."""
        self._offered: tuple[str | None, str] | None = None
        """(speaker, sentence) a "Did you mean" hint offered: that speaker's next utterance,
        in the window the hint opened, runs it by saying yes."""

    async def recognize(self, serial: int, speaker: str, utterance: UtteranceEnded) -> None:
        s = self.s
        in_window = s.machine.in_window()
        offered, self._offered = self._offered, None  # only the very next utterance answers
        at_pause = s.pause_hearing.take(utterance, in_window)
        try:
            if at_pause is not None:
                hearing = await at_pause
            else:
                hearing = await s.hear(utterance.pcm, in_window, speaker)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("guild %s: recognition failed", s.guild_id)
            s.send("error", stage="recognition", reason=repr(exc), serial=serial)
            return
        if offered is not None and in_window and offered[0] == speaker:
            hearing = await self._answered_yes(hearing, offered[1])
        # said with pauses, the rest of the request may still be coming (piece_joining.py)
        heard = await rest_of_request(s, speaker, Heard(utterance, hearing, in_window))
        if heard.utterance is not utterance:
            hearing, utterance = heard.hearing, heard.utterance
            s.machine.utterance = utterance  # its reply's latency counts from its end
        self._heard_from = speaker
        transcript = hearing.transcript()
        seconds = len(utterance.pcm) / BYTES_PER_S
        data: dict[str, Any] = {"wake": hearing.wake, "rejected": hearing.rejected}
        data["intent"] = hearing.intent
        data |= {"seconds": seconds, "in_window": in_window, "hearing": hearing}
        data |= {"start_s": utterance.start_s, "end_s": utterance.end_s}
        data["at_pause"] = at_pause is not None
        data["pieces"] = heard.pieces  # said with pauses: heard joined (piece_joining.py)
        s.note("heard", transcript.text, speaker, data=data)
        if s.settings.post_transcripts and (hearing.wake or transcript.text):
            name = s.streams.user(speaker).name
            await s.post(f"heard {name}: {transcript.text or '(wake phrase)'}")
        s.send("transcript_ready", transcript=transcript, intent=hearing.intent, serial=serial)

    async def _answered_yes(self, hearing: Hearing, sentence: str) -> Hearing:
        """`hearing` as the offered `sentence` where its words say yes and nothing else."""
        if hearing.intent is not None or not says_yes(hearing, self._yes_words()):
            return hearing
        intent = await asyncio.to_thread(self.s.parts.hearer.matcher.match, sentence)
        if intent is None:
            return hearing
        return dataclasses.replace(hearing, text=intent.text, intent=intent, rejected=False)

    def _yes_words(self) -> list[str]:
        """The words that say yes in the language the guild's speech is heard in."""
        return i18n.word_list(self.s.parts.heard_in(self.s.guild_id), "voice.yes_words")

    async def act(self, serial: int, speaker: str, intent: Any) -> None:
        s = self.s
        user = s.streams.user(speaker)
        utterance = s.machine.utterance
        ended = s.streams.ended_wall(utterance)
        try:
            request = s.parts.make_request(intent, user, s.guild_id, s.text_channel_id)
            reply = await s.handle(request)
            if reply.ok and reply.voice_action == "join":
                # said in the voice channel, where I listen already: not "Joining ..." again
                language = s.parts.language(s.guild_id)
                reply = already_joined(language, s.parts.hearer.matcher.wake_phrases)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the core never raises, but a transport bug must not hang us
            log.exception("guild %s: action %s failed", s.guild_id, getattr(intent, "name", "?"))
            s.send("error", stage="action", reason=repr(exc), serial=serial)
            return
        if ended is not None and utterance is not None:
            self._answer_origin = ended
            vad_s = (utterance.detected_s or utterance.end_s) - utterance.end_s
            latency = {"latency_s": time.monotonic() - ended, "vad_s": vad_s}
            s.note("reply", reply.text, speaker, data=latency)
        if reply.job_id is not None:
            s.spoken_jobs.add(reply.job_id)
        await self._post_reply(reply)
        s.send("action_done", reply=reply, serial=serial)

    def _words(self, key: str, **fields: object) -> str:
        """One of the session's own sentences, in the guild's language."""
        return i18n.message(self.s.parts.language(self.s.guild_id), key, **fields)

    async def speak(self, serial: int, saying: Saying) -> None:
        s = self.s
        words = self._words(OWN_WORDS[saying.kind]) if saying.kind in OWN_WORDS else saying.text
        if saying.kind == "apology":
            await s.post(words)
        elif saying.kind == "announcement":
            pass  # posted when the job event arrived
        elif saying.kind == "not_understood":
            heard = s.machine.transcript.text if s.machine.transcript else ""
            hint = await self._hint(heard)
            await s.post(words + (self._words("voice.heard", heard=heard) if heard else "") + hint)
            words += hint  # said too: the command can be said in the window that opens
        language = s.parts.language(s.guild_id)
        text = spoken_text(words, s.parts.max_spoken_chars, language)
        if not text:  # nothing sayable (e.g. a bare table): the text channel has it
            s.send("playback_done", serial=serial)
            return
        if s.voice is not None and not s.voice.heard():
            # Discord drops what the bot says here: the answer is posted, so none is synthesized
            s.note("unheard", text)
            self._said(serial, saying)
            return
        try:
            if saying.kind == "apology" and s.parts.apology is not None and text == APOLOGY:
                speech = s.parts.apology  # synthesized at start-up: works when output fails
            else:
                speech = await s.parts.synthesizer.synthesize(text)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("guild %s: speech synthesis failed: %r", s.guild_id, exc)
            s.send("error", stage="speech output", reason=repr(exc), serial=serial)
            return
        if s.machine.serial != serial:
            return  # interrupted while synthesizing
        origin, self._answer_origin = self._answer_origin, None
        completed = await self._play(speech, text, origin if saying.kind == "answer" else None)
        if completed is None:
            s.send("error", stage="playback", reason="output failed", serial=serial)
        elif completed:
            self._said(serial, saying)

    def _said(self, serial: int, saying: Saying) -> None:
        """`saying` was said (or, silenced, posted only): the conversation goes on, and an
        answer's voice action (`leave`) is taken."""
        s = self.s
        reply = s.machine.reply if saying.kind == "answer" else None
        s.send("playback_done", serial=serial)
        action = getattr(reply, "voice_action", None)
        if action and s.on_voice_action is not None:
            # "Bye!" has been said; now the transport may disconnect (and close us).
            s.spawn(s.on_voice_action(s.guild_id, action))

    async def _play(self, speech: Speech, text: str, origin: float | None = None) -> bool | None:
        """Play through the voice output (one at a time); None when the output failed."""
        s = self.s
        if s.voice is None:
            s.note("said", text, data={"completed": True, "seconds": speech.seconds})
            return True
        async with self._voice_lock:
            started = time.monotonic()
            data: dict[str, Any] = {"seconds": speech.seconds}
            if origin is not None:
                data["since_speech_end_s"] = started - origin
            s.note("speaking", text, data=data)
            try:
                completed = await s.voice.play(speech, text)
            except asyncio.CancelledError:
                s.voice.stop()
                raise
            except Exception:
                log.exception("guild %s: playback failed", s.guild_id)
                return None
        kind = "said" if completed else "interrupted"
        s.note(kind, text, data={"played_s": time.monotonic() - started})
        return completed

    async def still_working(self) -> None:
        if self.s.voice is not None and not self.s.voice.heard():
            return  # silenced: the job's progress is in the text channel
        words = self._words("voice.still_working")
        try:
            speech = await self.s.parts.synthesizer.synthesize(words)
        except Exception as exc:
            log.warning("guild %s: could not say still working: %r", self.s.guild_id, exc)
            return
        await self._play(speech, words)

    async def _hint(self, heard: str) -> str:
        """ "Did you mean `status`?" for words that said no command ('' when none is likely);
        off the loop, since the first guess learns from the templates (about a second)."""
        if not heard:
            return ""
        parts, guild_id = self.s.parts, self.s.guild_id
        try:
            close = await asyncio.to_thread(parts.guess, heard, guild_id)
            example = close and await asyncio.to_thread(parts.example, close, guild_id)
        except Exception:  # a hint is a nicety: the apology goes out without it
            log.exception("guild %s: guessing a command failed", guild_id)
            return ""
        if not close:
            return ""
        hint = self._words("error.did_you_mean", name=close)
        # The name alone is often no sentence the recognizer holds ("test" was heard as
        # "status"): a sentence that says the command, to say in the window this opens.
        if example and example != normalize(close.replace("_", " ")):
            hint += self._words("voice.say_example", example=example)
        self._offered = (self._heard_from, example or normalize(close.replace("_", " ")))
        return hint + self._words("voice.or_yes", yes=self._yes_words()[0])

    def stop_playback(self) -> None:
        """Leaving speaking (barge-in, timeout, error): cut the sound now. The speak stage is
        not cancelled: its play() returns False at once, and a synthesis still running is
        dropped by its serial check."""
        if self.s.voice is not None:
            self.s.voice.stop()

    async def _post_reply(self, reply: Reply) -> None:
        """Whole replies (files, errors) go through `send_reply` when the output has one."""
        s = self.s
        send_reply = getattr(s.text, "send_reply", None)
        if send_reply is None:
            await s.post(reply.text)
            return
        s.note("posted", reply.text)
        try:
            await send_reply(s.text_channel_id, reply)
        except Exception:
            log.exception("guild %s: posting a reply failed", s.guild_id)


class StageHooks:
    """Listener of the machine: starts each state's stage. Only these names are callbacks
    (python-statemachine calls a listener's method named like any callback of the chart)."""

    def __init__(self, session: GuildVoiceSession) -> None:
        self.s = session

    def after_transition(self, event: Any, source: Any, target: Any) -> None:
        self.s.note("transition", f"{source.id} -> {target.id}", data={"event": str(event or "")})

    def on_enter_transcribing(self) -> None:
        m = self.s.machine
        assert m.speaker is not None and m.utterance is not None
        self.s.spawn(self.s.stages.recognize(m.serial, m.speaker, m.utterance))

    def on_enter_acting(self) -> None:
        m = self.s.machine
        assert m.speaker is not None
        self.s.spawn(self.s.stages.act(m.serial, m.speaker, m.intent))

    def on_enter_speaking(self) -> None:
        m = self.s.machine
        assert m.saying is not None
        self.s.spawn(self.s.stages.speak(m.serial, m.saying))

    def on_exit_speaking(self) -> None:
        self.s.stages.stop_playback()

    def notice(self) -> None:
        self.s.spawn(self.s.stages.still_working())

    def interrupted_by_speech(self, speaker: str) -> None:
        self.s.note("barge_in", "speech", speaker, data={"how": "speech"})
