"""A request said with pauses longer than the VAD's end wait is heard as one: a piece said to
the bot that is no command waits for the rest (audio/pieces.py, states/piece_joining.py),
and a command is answered as soon as before.

Real parts throughout: espeak-ng speech with a noise floor streamed in real time, webrtcvad,
the hearing path (grammar recognizer in worker processes, the neural second opinion), the core,
espeak-ng output.
"""

from __future__ import annotations

import pytest

from assistant.app import Assistant
from assistant.config.conversation import ConversationSettings
from assistant.config.voice import VadSettings
from assistant.messages import Request
from audio.hearing import Hearer, Hearing
from audio.pieces import hear_pieces
from audio.vad.base import UtteranceEnded
from audio.vad.webrtc import WebRtcVad
from states.sayings import LISTENING, NOT_UNDERSTOOD
from tests.conversation_kit import ALICE, SessionMaker, Track, describe, heard, say, stream
from tests.speech import join, speak, trimmed, utterance

pytestmark = pytest.mark.timeout(90)

SETTINGS = ConversationSettings(follow_up_seconds=4)
PAUSE_S = 0.7
"""A pause inside a request: past the VAD's end wait (about 0.37 s here), and the next
piece found to begin (about 0.25 s into it) within the 1.2 s a piece said to the bot waits."""


def _paused(first: str, rest: str, pause_s: float = PAUSE_S) -> bytes:
    """`first`, a pause of `pause_s` (noise floor only), `rest`."""
    return join(trimmed(say(first), end=True), trimmed(say(rest), start=True), gap_s=pause_s)


def _pieces(pcm: bytes) -> int:
    vad = WebRtcVad()
    return sum(isinstance(e, UtteranceEnded) for e in vad.process(pcm) + vad.flush())


async def _status(app: Assistant) -> str:
    reply = await app.handle(Request(command="status", guild_id="g1"))
    return reply.spoken or reply.text


@pytest.mark.parametrize(
    "first, rest",
    [
        ("hey trainer", "what is the status"),
        ("hey trainer, can you", "tell me the status"),
        # the grammar heard "hey trainer leave" in the first piece, and the bot left
        ("hey trainer, please", "what is the status"),
    ],
)
async def test_a_request_said_in_two_pieces_is_answered_once(
    voice_session: SessionMaker, app: Assistant, first: str, rest: str
) -> None:
    """Heard apart, the first piece got "I'm listening" (or "Sorry, I didn't catch that")
    said over the rest of the request."""
    pcm = _paused(first, rest)
    assert _pieces(pcm) == 2  # the VAD cut it: the session joins what the VAD split
    session, out = await voice_session(SETTINGS, processes=True)
    await stream(session, [Track(ALICE, pcm)])
    assert await session.settle(30, idle=True)

    entries = [e for e in session.trace if e.kind == "heard"]
    assert len(entries) == 1, describe(session.trace)
    assert entries[0].data["intent"].name == "status", describe(session.trace)
    assert LISTENING not in out.said and NOT_UNDERSTOOD not in out.said, out.said
    assert out.said == [await _status(app)]
    await session.close()


async def test_a_command_is_not_held_for_what_follows_it(voice_session: SessionMaker) -> None:
    """A whole command is answered without waiting; what its speaker says next is their
    next utterance, heard in the window the answer opened. The answer is asserted as the
    reply (the text the channel gets, first): spoken, it may be cut by the next piece,
    which is speech over the bot's (barge-in), when a loaded machine starts it late (the
    suite beside a bench, 7 December: the status was never said, "thanks" was answered)."""
    pcm = _paused("hey trainer, what is the status", "thanks")
    session, out = await voice_session(SETTINGS, processes=True)
    await stream(session, [Track(ALICE, pcm)])
    assert await session.settle(30, idle=True)

    said = heard(session.trace)
    assert said[0] == (ALICE.id, "what is the status", True), describe(session.trace)
    assert len(said) == 2 and "joining" not in {e.kind for e in session.trace}
    replies = [e.text for e in session.trace if e.kind == "reply"]
    assert len(replies) == 2 and replies[0].startswith("**Status**"), describe(session.trace)
    assert out.said[-1] == "Thank you for the feedback!", out.said
    await session.close()


async def test_the_wake_phrase_alone_still_opens_the_window(
    voice_session: SessionMaker, app: Assistant
) -> None:
    """Nobody goes on: once the wait is over, "I'm listening", and the command said after it
    in the window runs."""
    pcm = _paused("hey trainer", "what is the status", pause_s=2.5)
    session, out = await voice_session(SETTINGS, processes=True)
    await stream(session, [Track(ALICE, pcm)])
    assert await session.settle(30, idle=True)

    assert out.said[0] == LISTENING, describe(session.trace)
    assert out.said[1:] == [await _status(app)], describe(session.trace)
    await session.close()


async def test_with_joining_off_each_piece_is_heard_alone(
    voice_session: SessionMaker, app: Assistant
) -> None:
    """`voice.vad.join_pieces_ms: 0`: the pieces as the VAD cut them, as before."""
    pcm = _paused("hey trainer", "what is the status")
    session, out = await voice_session(SETTINGS, processes=True)
    session.parts.join_pieces_s = 0
    await stream(session, [Track(ALICE, pcm)])
    assert await session.settle(30, idle=True)

    assert len([e for e in session.trace if e.kind == "heard"]) == 2, describe(session.trace)
    assert LISTENING in out.said
    await session.close()


async def test_the_benches_join_pieces_as_the_session_does(hearer: Hearer) -> None:
    """bench/spoken_phrasing_bench.py hears a recording's pieces by the session's rules."""
    from bench.voice_bench import vad_pieces

    pieces = vad_pieces(_paused("hey trainer, can you", "tell me the status"))
    settings = VadSettings()

    async def hear(pcm: bytes, in_window: bool) -> Hearing:
        return await hearer.hear(pcm, in_window)

    async def acted(join_s: float) -> list[tuple[str, int]]:
        decided = await hear_pieces(pieces, hear, False, join_s, settings.max_utterance_s)
        return [(h.hearing.intent.name, h.pieces) for h in decided if h.hearing.intent and h.acted]

    assert len(pieces) == 2
    assert await acted(settings.join_pieces_ms / 1000) == [("status", 2)]
    # apart, "can you" after the wake phrase is no command, and the rest has no wake phrase
    assert await acted(0.0) == []


async def test_a_wake_phrase_alone_too_unsure_to_answer_is_still_joined_to_the_rest(
    hearer: Hearer,
) -> None:
    """The wake phrase alone opens a window only when the wake word is very probable
    (`wake_alone_floor`; "hey trina" alone scores 0.86-0.94). One under that floor opens
    nothing and is answered nothing, but the rest of its speaker's request, said after a pause,
    is still heard joined to it, as the wake phrase would be: here every wake phrase alone is
    made unsure (the floor at 1)."""
    from bench.voice_bench import vad_pieces

    pieces = vad_pieces(_paused("hey trainer", "what is the status"))
    settings = hearer.settings
    hearer.settings = settings.model_copy(update={"wake_alone_floor": 1.0})
    try:

        async def hear(pcm: bytes, in_window: bool) -> Hearing:
            return await hearer.hear(pcm, in_window)

        alone = await hear(pieces[0].pcm, False)
        assert alone.maybe_wake and not alone.wake_only, alone.debug()
        assert not alone.accepted(in_window=False)
        max_s = VadSettings().max_utterance_s
        decided = await hear_pieces(pieces, hear, False, VadSettings().join_pieces_ms / 1000, max_s)
        acted = [(h.hearing.intent.name, h.pieces) for h in decided if h.hearing.intent and h.acted]
        assert acted == [("status", 2)], [h.hearing.debug() for h in decided]
    finally:
        hearer.settings = settings


@pytest.mark.parametrize(
    ("line", "voice", "grammar_heard"),
    [
        ("hey trainer, please", "en-us", "leave"),
        ("hey trainer, okay so", "en-us+f3", "train"),
        ("hey trainer, so", "en-us", "hi"),
    ],
)
async def test_politeness_alone_after_the_wake_phrase_is_no_command(
    hearer: Hearer, line: str, voice: str, grammar_heard: str
) -> None:
    """The grammar always hears one of its sentences: the first piece of a request said with a
    pause acted at once as whatever it was made into ("build the model": train). The model's
    words, surely written, are politeness alone: the wake phrase, waiting for the request."""
    hearing = await hearer.hear(utterance(speak(line, voice)), False)
    grammar = hearing.grammar_alone
    assert grammar is not None and grammar.intent is not None
    assert grammar.intent.name == grammar_heard  # what acted before
    assert hearing.intent is None and hearing.wake, hearing.stages
    # where the grammar heard the wake phrase, it opens the window as the wake phrase alone
    assert hearing.wake_only or grammar.wake is False


@pytest.mark.parametrize("line", ["hey trainer, thank you", "hey trainer, please help"])
async def test_politeness_that_says_a_command_still_does(hearer: Hearer, line: str) -> None:
    hearing = await hearer.hear(utterance(speak(line)), False)
    assert hearing.intent is not None
    assert hearing.intent.name == ("feedback" if "thank" in line else "help"), hearing.stages
