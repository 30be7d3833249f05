"""Which grammar sentence the audio said: candidates scored by the neural model itself.

Snapping the neural transcript to the nearest sentence by spelling fails where Whisper tiny
garbles accented or noisy speech ("Hey trainer, nip up cattle tweets"): the spelling is far from
"zip up kaggle tweets" although the sound is close. So the sentences nearest to its transcript
(and the one the grammar recognizer heard) are each scored as the transcript of the same audio,
with and without each wake phrase, and the most probable one is the neural stage's answer.
How sure: its log probability minus that of the model's own free transcript (`margin`; 0 or
more when the grammar's sentence is at least as likely as anything the model wrote itself).
Chatter and other names leave every grammar sentence far less likely than the free transcript.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from assistant.intents.matcher import Intent, IntentMatcher, normalize
from assistant.intents.snap import CALL_WORDS, CallHead, GrammarSnapper

from .asr.neural import NeuralResult, WhisperModel
from .written_forms import NOT_WORDS, FormsOf, as_spoken, forms_of

NEAREST = 8
"""Grammar sentences taken nearest to the transcript (each costs a few ms on two cores)."""
_LEAST_WAKE_START = 4
"""Letters of a wake word's start that stand for it after a call word ("train" for "trainer");
fewer say too little ("hey tr...")."""
_GLUED_CALL = 3
"""Letters of a call word glued before a wake word ("ha" in "Hatrainer", "hey")."""
_WAKE_END = 4
"""Letters of a word that may be the written end of a wake word cut short ("and", "are", "a",
"your" after "Hey train")."""
SAME_SENTENCE = 0.6
"""Words before a repetition loop that match this much of what it repeats (difflib's ratio)
are a garbled first try at the same sentence."""


@dataclass(frozen=True)
class Rescored:
    """The most probable grammar sentence for one utterance."""

    intent: Intent
    """Its command."""
    wake: bool
    """It began with a wake phrase."""
    sentence: str
    """The candidate as scored ("Hey trainer train the model")."""
    margin: float
    """Its log probability minus the free transcript's (natural log; 0 or more: at least as
    likely as what the model wrote itself)."""
    candidates: int
    """How many texts were scored."""
    ms: float
    """Time to build and score the candidates."""


def unrepeated(text: str) -> str:
    """The transcript without Whisper's repetition loop ("What's the status of the pizza order?
    What's the status of the pizza order? What's the..."): a text that repeats its first words
    over and over is those words once. Left in, the loop made the model's own words look so
    unlikely that any command seemed close to them.

    A loop may also begin after a first try at the sentence ("Select the set movie reviews.
    Select the data set movie reviews. Select the data set movie..."): the words it repeats
    are kept once, after what came before them, unless that was the same sentence garbled
    (most of its words in the same order), which is then left out."""
    words = text.split()
    bare = [_bare(w) for w in words]
    for start in range(len(words) - 1):
        for period in range(1, (len(words) - start) // 2 + 1):
            tail = bare[start:]
            if start and period == 1 and len(tail) < 3:
                continue  # a doubled word after others ("please please") is how people talk
            if all(word == tail[i % period] for i, word in enumerate(tail)):
                # The loop seen from its first repeated word may begin mid-sentence ("set
                # movie reviews. Select the data"): it is taken from a sentence's start.
                start = next(
                    (s for s in range(start, start + period) if _ends_sentence(words, s)), start
                )
                unit = words[start : start + period]
                before = [w for w in bare[:start] if w]
                same = SequenceMatcher(None, before, bare[start : start + period]).ratio()
                return " ".join(unit if same >= SAME_SENTENCE else words[:start] + unit)
    return text


def _ends_sentence(words: list[str], at: int) -> bool:
    """Whether a sentence begins at word `at` (the first word, or one after . ? or !)."""
    return at == 0 or words[at - 1][-1:] in ".?!"


def _bare(word: str) -> str:
    return NOT_WORDS.sub("", word.lower())


@dataclass
class Candidates:
    """The sentences one transcript is rescored against, and what decoding them found so far:
    made beside the grammar recognizer (`prepare`), finished once its answer is in (`choose`)."""

    texts: list[str]
    forms: list[tuple[Intent, bool]]
    """Per text: its command, and whether it begins with a wake phrase."""
    sentences: list[str]
    """Per text: the grammar sentence it says."""
    free_score: float
    """Log probability of the model's own transcript."""
    scores: dict[int, float]
    """Texts decoded so far (index -> log probability)."""
    bounds: dict[int, float]
    """The others: an upper bound on each one's log probability."""
    ms: float
    """Time spent on them so far."""
    written: FormsOf
    """How the model writes the grammar's sentences (`add` writes its sentences so)."""
    frame: tuple[str, str]
    """The grammar's polite words the transcript says around its command."""

    def add(
        self,
        model: WhisperModel,
        heard: NeuralResult,
        sentence: str,
        intent: Intent,
        phrases: list[str],
    ) -> None:
        """`sentence` (saying `intent`) after each of `phrases` ("" for none) as more
        candidates, decoded now."""
        start = len(self.texts)
        for phrase in phrases:
            for text in self.written.texts(phrase, sentence, self.frame, heard.text):
                self.texts.append(text)
                self.forms.append((intent, bool(phrase)))
                self.sentences.append(sentence)
        added = list(range(start, len(self.texts)))
        self.scores.update(
            zip(added, model.score(heard, [self.texts[i] for i in added]), strict=True)
        )


def prepare(
    model: WhisperModel,
    heard: NeuralResult,
    snapper: GrammarSnapper,
    head: CallHead,
    grammar: Intent | None = None,
) -> Candidates | None:
    """The sentences nearest to the transcript (and the grammar's, when it is known), each
    with and without each wake phrase. The leading sentence (the grammar's, or the nearest)
    and the free transcript are decoded; every other text is bounded by the sentence start it
    shares with them (`WhisperModel.score_bounding`). None: nothing to score."""
    if not model.can_score:
        return None
    started = time.perf_counter()
    matcher: IntentMatcher = snapper.matcher
    nearest = [
        snap.sentence for snap in snapper.nearest(_command_part(head, matcher.wake_words), NEAREST)
    ]
    sentences = set(nearest)
    if grammar is not None and grammar.text:
        sentences.add(normalize(grammar.text))
    texts: list[str] = []
    forms: list[tuple[Intent, bool]] = []
    of_sentence: list[str] = []
    written = forms_of(matcher)
    frame = written.frame(_command_part(head, matcher.wake_words))
    for sentence in sorted(sentences):
        intent = matcher.match(sentence)
        if intent is None:
            continue
        for phrase in [*matcher.wake_phrases, ""]:
            for text in written.texts(phrase, sentence, frame, heard.text):
                texts.append(text)
                forms.append((intent, bool(phrase)))
                of_sentence.append(sentence)
    free = as_spoken(unrepeated(heard.text))
    if not texts or not free:
        return None
    lead = normalize(grammar.text) if grammar is not None and grammar.text else ""
    if lead not in of_sentence:
        lead = next((n for n in nearest if n in of_sentence), of_sentence[0])
    leading = [i for i, sentence in enumerate(of_sentence) if sentence == lead]
    rest = [i for i in range(len(texts)) if i not in leading]
    first = [texts[i] for i in leading]
    lead_scores, bounds = model.score_bounding(heard, [*first, free], [texts[i] for i in rest])
    *lead_scores, free_score = lead_scores
    return Candidates(
        texts,
        forms,
        of_sentence,
        free_score,
        dict(zip(leading, lead_scores, strict=True)),
        dict(zip(rest, bounds, strict=True)),
        (time.perf_counter() - started) * 1000,
        written,
        frame,
    )


def choose(
    model: WhisperModel,
    heard: NeuralResult,
    matcher: IntentMatcher,
    found: Candidates,
    grammar: Intent | None,
    grammar_wake: bool,
    grammar_bonus: float,
) -> Rescored:
    """The most probable candidate, the grammar's command (with `grammar_wake`) favored by
    `grammar_bonus`. Its sentence joins the candidates if it is not one yet; a bounded text is
    decoded only if its bound could still beat the best decoded one. The same answer as
    decoding them all (`found` is updated with what is decoded here)."""
    started = time.perf_counter()
    lead = normalize(grammar.text) if grammar is not None and grammar.text else ""
    intent = matcher.match(lead) if lead and lead not in found.sentences else None
    if intent is not None:
        found.add(model, heard, lead, intent, [*matcher.wake_phrases, ""])

    def bonus(index: int) -> float:
        intent, wake = found.forms[index]
        favored = grammar is not None and wake == grammar_wake and intent.same_command(grammar)
        return grammar_bonus if favored else 0.0

    top = max(score + bonus(i) for i, score in found.scores.items())
    contenders = [i for i, b in found.bounds.items() if b + bonus(i) > top]
    if contenders:
        more = model.score(heard, [found.texts[i] for i in contenders])
        found.scores.update(zip(contenders, more, strict=True))
        for i in contenders:
            del found.bounds[i]
    index = max(found.scores, key=lambda i: (found.scores[i] + bonus(i), -i))
    found.ms += (time.perf_counter() - started) * 1000
    intent, wake = found.forms[index]
    return Rescored(
        intent,
        wake,
        found.texts[index],
        found.scores[index] - found.free_score,
        len(found.scores) + 1,
        found.ms,
    )


def rescore(
    model: WhisperModel,
    heard: NeuralResult,
    snapper: GrammarSnapper,
    head: CallHead,
    grammar: Intent | None,
    grammar_wake: bool,
    grammar_bonus: float,
    prepared: Candidates | None = None,
) -> Rescored | None:
    """The best-scoring command sentence among the candidates, or None (nothing to score).
    `grammar` is the command the grammar recognizer accepted (with `grammar_wake`): its own
    sentence joins the candidates, favored by `grammar_bonus` (log probability) over others.
    `prepared`: the candidates already made for this transcript beside the grammar (most of
    the work done before the grammar answered)."""
    found = prepared or prepare(model, heard, snapper, head, grammar)
    if found is None:
        return None
    tails = [head.rest] if head.wake else _after_garbled_wake(head, snapper.matcher.wake_words)
    for words in tails:
        if not words or heard.read is None or words in found.sentences:
            continue
        # The model wrote the wake phrase and then a command as people phrase it, not as the
        # voice grammar does ("how far along is it"): its words, read as a typed line is
        # (`NeuralResult.read`), are a candidate too, after each wake phrase. So are the
        # words after a wake phrase it garbled ("A trainer, kill it"): scoring them after the
        # wake phrase, and the wake-word check after that, decide whether it was said.
        read = heard.read(words)
        if read is not None:
            found.add(model, heard, words, replace(read, wake=True), snapper.matcher.wake_phrases)
            break
    return choose(model, heard, snapper.matcher, found, grammar, grammar_wake, grammar_bonus)


def _after_garbled_wake(head: CallHead, wake_words: frozenset[str]) -> list[str]:
    """The words after a wake phrase the transcript garbled, likeliest first: a call word and
    a wake word that are no wake phrase ("A trainer, kill it"), the two glued ("Hatrainer, I
    have a suggestion"), or a call word and the start of a wake word ("Hey train, have you
    done yet?"), whose end may be written as a short word of its own ("Hey train and report a
    bug"); none when it begins with neither ("my trainer told me to stop" is said about
    someone)."""
    words = head.rest.split()
    if not words:
        return []
    first = words[0]
    if any(first.endswith(w) and 0 < len(first) - len(w) <= _GLUED_CALL for w in wake_words):
        return [" ".join(words[1:])]
    if len(words) < 3 or first not in CALL_WORDS:
        return []
    second = words[1]
    if second in wake_words:
        return [" ".join(words[2:])]
    if len(second) >= _LEAST_WAKE_START and any(
        w.startswith(second) and w != second for w in wake_words
    ):
        tails = [" ".join(words[2:])]
        if len(words) > 3 and len(words[2]) <= _WAKE_END:
            tails.append(" ".join(words[3:]))
        return tails
    return []


def _command_part(head: CallHead, wake_words: frozenset[str]) -> str:
    """The words that may be the command. A wake phrase the transcript garbled ("A trainer,
    nip up cattle tweets") is dropped too: scoring, not this guess, decides whether it was one."""
    words = head.rest.split()
    if not head.wake and len(words) > 2 and words[1] in wake_words:
        return " ".join(words[2:])
    return head.rest
