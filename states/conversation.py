"""The conversation of one guild as a state chart: the only place where its state lives.

    idle -> listening -> transcribing -> acting -> speaking -> listening (follow-up) -> idle

The machine is deliberately synchronous: every callback only updates bookkeeping and arms or
disarms timers, so an event is processed the moment it is sent and a barge-in can never wait
behind a slow stage. The slow work (recognition, the command, speech synthesis, playback) runs
in tasks that the session's listener (`states.stages.StageHooks`) starts on state entry; those
tasks report back with events stamped with the `serial` of the state entry they belong to, so a
late answer from an abandoned stage is recognized and dropped by the `is_current` guard.

Events that no transition accepts in the current state are ignored (python-statemachine's
`StateChart` rule); the session logs them. An exception inside a callback becomes
`error.execution`, handled like any stage error: an apology, then idle.

Overlap rule (several people in the channel, each with their own VAD stream, never merged):
- idle: whoever starts speaking first gets the bot's attention (`listening` to them).
- listening to / transcribing / acting for / answering one person: speech from anyone else is
  not listened to; each other person's latest finished utterance is queued for
  `queue_seconds` and checked for the wake phrase as soon as the bot is free.
- Only the person who woke the bot, or who was just answered, may speak without the wake
  phrase (the follow-up window); everyone else needs it.
- While speaking: the person being answered interrupts by speaking, anyone else by saying the
  wake phrase in speech begun while the bot speaks (spotted on the audio so far, before they
  pause; the `began_while_speaking` guard on `interruption`, against the time the machine
  records when it starts speaking); speech begun earlier is queued like any other.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from statemachine import State, StateChart

from assistant.config.conversation import ConversationSettings
from audio.asr.base import Transcript
from audio.vad.base import UtteranceEnded

from .addressing import meaning
from .sayings import APOLOGY, LISTENING, NOT_UNDERSTOOD, Saying
from .state_timer import StateTimer, TimerKind
from .utterance_queue import QueuedUtterance, UtteranceQueue

log = logging.getLogger(__name__)


class Conversation(StateChart):
    """One guild's conversation. Create, then `send(event, **data)`; see the module docstring."""

    # Internal self-transitions (queueing, capture, classify) must not re-enter the state:
    # entering restarts that state's stage and timers.
    enable_self_transition_entries = False

    idle = State("idle", initial=True)
    listening = State("listening")
    transcribing = State("transcribing")
    acting = State("acting")
    speaking = State("speaking")

    # --- from the audio streams ---------------------------------------------------------------
    speech_started = (
        idle.to(listening, on="attend")
        | listening.to.itself(internal=True, cond="is_partner", on="capture")
        | speaking.to(listening, cond=["barge_in", "is_addressee"], on="interrupted_by_speech")
    )
    speech_ended = (
        listening.to(transcribing, cond="is_listened_to", on="take_utterance")
        | idle.to(transcribing, cond="within_limit", on="take_utterance")
        | listening.to.itself(internal=True, on="queue_utterance")
        | transcribing.to.itself(internal=True, on="queue_utterance")
        | acting.to.itself(internal=True, on="queue_utterance")
        | speaking.to.itself(internal=True, on="queue_utterance")
    )
    interruption = speaking.to(
        listening, cond=["barge_in", "began_while_speaking"], on="interrupted_by_wake"
    )

    # --- from recognition: classified inside the machine, which knows who may skip the wake ---
    transcript_ready = transcribing.to.itself(internal=True, cond="is_current", on="classify")
    wake_heard = transcribing.to(speaking, on="say_listening")
    intent_found = transcribing.to(acting, on="take_intent")
    no_intent = transcribing.to(speaking, on="say_not_understood")
    not_addressed = transcribing.to(listening, cond="follow_up_open") | transcribing.to(idle)

    # --- from the command and the output ------------------------------------------------------
    action_done = acting.to(speaking, cond="is_current", on="take_reply")
    playback_done = speaking.to(listening, cond=["is_current", "has_addressee"]) | speaking.to(
        idle, cond="is_current"
    )

    # --- timers, failures, announcements ------------------------------------------------------
    timeout = (
        listening.to(idle, cond="is_current")
        | transcribing.to(speaking, cond="is_current", on="apologize")
        | acting.to.itself(internal=True, cond=["is_current", "is_still_working"], on="notice")
        | acting.to(speaking, cond="is_current", on="apologize")
        | speaking.to(idle, cond="is_current")
    )
    # `error` also matches the engine's `error.execution` (an exception in a callback): SCXML
    # event names match by prefix, so a bug gets the same apology and return to idle.
    error = (
        speaking.to(idle, cond=["is_current", "is_apologizing"])
        | listening.to(speaking, cond="is_current", on="apologize")
        | transcribing.to(speaking, cond="is_current", on="apologize")
        | acting.to(speaking, cond="is_current", on="apologize")
        | speaking.to(speaking, cond="is_current", on="apologize")
    )
    announce = (
        idle.to.itself(internal=True, on="queue_announcement")
        | listening.to.itself(internal=True, on="queue_announcement")
        | transcribing.to.itself(internal=True, on="queue_announcement")
        | acting.to.itself(internal=True, on="queue_announcement")
        | speaking.to.itself(internal=True, on="queue_announcement")
    )

    # --- eventless: as soon as the bot is free, queued speech first, then announcements -------
    idle.to(transcribing, cond="has_queued", on="take_queued")
    listening.to(transcribing, cond=["has_queued", "not_capturing"], on="take_queued")
    idle.to(speaking, cond="has_announcement", on="take_announcement")
    listening.to(speaking, cond=["has_announcement", "not_capturing"], on="take_announcement")

    def __init__(
        self,
        settings: ConversationSettings | None = None,
        *,
        guild_id: str = "",
        clock: Callable[[], float] = time.monotonic,
        listeners: list[object] | None = None,
    ) -> None:
        self.settings = settings or ConversationSettings()
        self.guild_id = guild_id
        self.clock = clock
        self.serial = 0
        """Increases on every state entry; stage results carry the serial they were started in."""
        self.speaker: str | None = None
        """Whose speech is being listened to or transcribed, or who the action is for."""
        self.partner: str | None = None
        """Who the bot is in a conversation with: woke it, or was answered; may skip the wake."""
        self.follow_up_until = 0.0
        """Clock time at which the partner's follow-up window closes."""
        self.prompted = False
        """The window was opened by a wake phrase alone: the bot is explicitly waiting for a
        command, so speech it cannot make out gets "didn't catch that" instead of silence."""
        self.capturing = False
        """In listening: the speaker is mid-utterance (otherwise waiting for them to start)."""
        self.partner_began = False
        """The utterance being listened to or recognized is the partner's, begun while their
        follow-up window was open: it counts as meant for the bot even when it is recognized
        after the window closed (a long sentence, a loaded machine)."""
        self.utterance: UtteranceEnded | None = None
        self.transcript: Transcript | None = None
        self.intent: Any = None
        self.reply: Any = None
        self.saying: Saying | None = None
        self.queued = UtteranceQueue()
        self.announcements: list[Saying] = []
        self.last_error: str | None = None
        self.speaking_since = 0.0
        """Clock time the bot last started speaking (the barge-in rule compares with it)."""
        self.took_transition = False
        self._timer = StateTimer(self._fire)
        super().__init__(listeners=listeners)

    # --- introspection ------------------------------------------------------------------------

    @property
    def state(self) -> str:
        """Id of the current state: idle, listening, transcribing, acting or speaking."""
        return str(self.current_state_value)

    def follow_up_remaining(self) -> float:
        return max(0.0, self.follow_up_until - self.clock()) if self.partner else 0.0

    # --- guards -------------------------------------------------------------------------------

    def is_current(self, serial: int | None = None) -> bool:
        return serial is None or serial == self.serial

    def is_partner(self, speaker: str) -> bool:
        return not self.capturing and speaker == self.partner and self.follow_up_remaining() > 0

    def is_listened_to(self, speaker: str) -> bool:
        return self.capturing and speaker == self.speaker

    def is_addressee(self, speaker: str) -> bool:
        return self.saying is not None and speaker == self.saying.to

    def barge_in(self) -> bool:
        return self.settings.barge_in

    def began_while_speaking(self, began_at: float | None = None) -> bool:
        """Only speech begun while the bot speaks can interrupt it by wake phrase; speech begun
        earlier was queued (overlap rule) and is heard when the bot is free. `began_at` is the
        speech's start on `clock`; None (unknown) counts as begun now."""
        return began_at is None or began_at >= self.speaking_since

    def follow_up_open(self) -> bool:
        return self.follow_up_remaining() > 0

    def is_still_working(self, kind: TimerKind | None = None) -> bool:
        return kind == "still_working"

    def is_apologizing(self) -> bool:
        return self.saying is not None and self.saying.kind == "apology"

    def has_addressee(self) -> bool:
        """After an answer the follow-up window opens; after an apology the bot goes idle."""
        s = self.saying
        return s is not None and s.to is not None and s.kind != "apology"

    def within_limit(self, utterance: UtteranceEnded) -> bool:
        """An utterance that outlasted `max_utterance_seconds` was already given up on."""
        return utterance.end_s - utterance.start_s <= self.settings.max_utterance_seconds

    def has_queued(self) -> bool:
        self.queued.expire(self.clock() - self.settings.queue_seconds)
        return bool(self.queued)

    def not_capturing(self) -> bool:
        return not self.capturing

    def has_announcement(self) -> bool:
        return bool(self.announcements)

    # --- actions (bookkeeping only; side effects belong to the session) ----------------------

    def attend(self, speaker: str) -> None:
        """Someone started speaking while idle: listen to them (they still need the wake)."""
        self.speaker = speaker
        self.capturing = True
        self.partner_began = False

    def capture(self, speaker: str) -> None:
        self.speaker = speaker
        self.capturing = True
        self.partner_began = True  # `is_partner`: the window is open
        self._arm("utterance", self.settings.max_utterance_seconds)

    def interrupted_by_speech(self, speaker: str) -> None:
        # Talking over "I'm listening" is the command it asked for.
        self.prompted = self.saying is not None and self.saying.kind == "prompt"
        self.saying = None  # cut off: the follow-up window is theirs, not the answer's
        self.speaker = speaker
        self.partner = speaker
        self.follow_up_until = self.clock() + self.settings.follow_up_seconds
        self.capturing = True
        self.partner_began = True

    def interrupted_by_wake(
        self, speaker: str, in_speech: bool = True, began_at: float | None = None
    ) -> None:
        """A wake phrase from `speaker` while speaking: they become the partner."""
        self.saying = None
        self.prompted = False
        self.speaker = speaker
        self.partner = speaker
        self.follow_up_until = self.clock() + self.settings.follow_up_seconds
        self.capturing = in_speech
        self.partner_began = in_speech

    def take_utterance(self, speaker: str, utterance: UtteranceEnded) -> None:
        self.speaker = speaker
        self.utterance = utterance
        self.capturing = False
        # The time spent hearing it must not close the window it was said in.
        self.partner_began = self.in_window()

    def queue_utterance(self, speaker: str, utterance: UtteranceEnded) -> None:
        """Overlap rule: keep the latest utterance per person, never merge it into another."""
        if self.settings.queue_seconds <= 0 or self.settings.queue_max <= 0:
            log.info("guild %s: speech of %s ignored while %s", self.guild_id, speaker, self.state)
            return
        began = speaker == self.partner and self.follow_up_open()
        item = QueuedUtterance(speaker, utterance, self.clock(), began)
        self.queued.put(item, keep=self.settings.queue_max)
        log.info("guild %s: utterance of %s queued while %s", self.guild_id, speaker, self.state)

    def take_queued(self) -> None:
        item = self.queued.pop()
        self.speaker = item.speaker
        self.utterance = item.utterance
        self.capturing = False
        # Cleared first: in_window() reads it, and the previous utterance's must not count.
        self.partner_began = False
        self.partner_began = item.partner_began or self.in_window()

    def in_window(self) -> bool:
        """The utterance being recognized may skip the wake phrase: it is the partner's, in
        their follow-up window or begun in it."""
        return self.partner_began or (self.speaker == self.partner and self.follow_up_open())

    def classify(self, transcript: Transcript, intent: Any = None) -> None:
        """Decide what the transcript means here: only the partner may skip the wake phrase."""
        self.transcript = transcript
        self.intent = intent
        partner = self.in_window()
        self.partner_began = False
        # not_addressed, wake_heard, intent_found or no_intent (states/addressing.py)
        self.raise_(meaning(transcript, intent, in_window=partner, prompted=self.prompted))

    def say_listening(self) -> None:
        """The wake phrase alone: say so; the follow-up window opens when that is said."""
        self.partner = self.speaker
        self.prompted = True
        self.saying = Saying(LISTENING, "prompt", self.speaker)

    def take_intent(self) -> None:
        # Whoever gives a command becomes the partner: the answer is theirs to interrupt.
        self.partner = self.speaker
        self.prompted = False

    def say_not_understood(self) -> None:
        self.partner = self.speaker
        self.prompted = False
        self.saying = Saying(NOT_UNDERSTOOD, "not_understood", self.speaker)

    def take_reply(self, reply: Any) -> None:
        self.reply = reply
        text = getattr(reply, "spoken", None) or str(reply)
        self.saying = Saying(text, "answer", self.speaker)

    def notice(self) -> None:
        """The action is slow: the session says "still working" once, without leaving acting."""
        self._arm("action", self.settings.action_timeout_seconds)

    def apologize(
        self,
        source: State,
        stage: str = "",
        reason: str = "",
        kind: TimerKind | None = None,
        error: Exception | None = None,
    ) -> None:
        if error is not None:  # error.execution: a callback raised
            stage, reason = "a conversation callback", repr(error)
        what = f"{stage or kind or 'a stage'} {'timed out' if kind else 'failed'}"
        self.last_error = f"{what}: {reason}" if reason else what
        log.warning("guild %s: %s (in %s)", self.guild_id, self.last_error, source.id)
        self.saying = Saying(APOLOGY, "apology", self.speaker)

    def queue_announcement(self, text: str, to: str | None = None) -> None:
        self.announcements.append(Saying(text, "announcement", to))

    def take_announcement(self) -> None:
        self.saying = self.announcements.pop(0)

    # --- generic hooks: serial, timers, follow-up ---------------------------------------------

    def after_transition(self) -> None:
        self.took_transition = True

    def on_exit_state(self) -> None:
        self._timer.disarm()

    def on_enter_state(self, state: State) -> None:
        self.serial += 1
        s = self.settings
        if state.id == "idle":
            self.partner_began = False
            self.prompted = False
            self.speaker = None
            self.capturing = False
            self.saying = None
            self.partner = None
        elif state.id == "listening":
            if self.capturing:
                self._arm("utterance", s.max_utterance_seconds)
            else:
                if self.saying is not None and self.has_addressee():
                    # Just answered someone: their follow-up window opens now.
                    self.partner = self.saying.to
                    self.follow_up_until = self.clock() + s.follow_up_seconds
                self.speaker = self.partner
                self._arm("follow_up", max(0.05, self.follow_up_remaining()))
            self.saying = None
        elif state.id == "transcribing":
            self._arm("recognition", s.recognition_timeout_seconds)
        elif state.id == "acting":
            self._arm("still_working", s.still_working_seconds)
        elif state.id == "speaking":
            self.speaking_since = self.clock()
            self._arm("speaking", s.max_speaking_seconds)

    def _arm(self, kind: TimerKind, seconds: float) -> None:
        self._timer.arm(kind, seconds, self.serial)

    def _fire(self, kind: TimerKind, serial: int) -> None:
        log.debug("guild %s: %s timer fired in %s", self.guild_id, kind, self.state)
        self.send("timeout", kind=kind, serial=serial)

    def close(self) -> None:
        """Stop timers (the guild session is closing)."""
        self._timer.disarm()
