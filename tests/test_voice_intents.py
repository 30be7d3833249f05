"""Sentence templates -> commands, for typed text and transcripts."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.intents import IntentMatcher, to_request
from assistant.intents.snap import GrammarSnapper
from assistant.intents.spoken import file_words, number_forms, spoken_forms
from assistant.messages import User
from audio.asr.pronounce import Lexicon, ipa_to_arpabet

DATASETS = ["movie_reviews", "imdb2026", "kaggle_tweets"]


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    m = IntentMatcher(is_word=Lexicon().is_word)
    m.update_lists({"dataset": DATASETS, "folder": DATASETS, "file": ["report.csv"]})
    return m


@pytest.mark.parametrize(
    ("text", "command", "slots"),
    [
        ("hi", "hi", {}),
        ("Hello trainer!", "hi", {}),
        ("join the voice channel", "join", {}),
        ("please leave the call", "leave", {}),
        ("train the model", "train", {}),
        ("start training on movie reviews", "train", {"data_dir": "movie_reviews"}),
        ("retrain on the i m d b twenty twenty six dataset", "train", {"data_dir": "imdb2026"}),
        ("train the model on kaggle tweets as negative", "train",
         {"data_dir": "kaggle_tweets", "positive": False}),
        ("test the model", "test", {}),
        ("archive the movie reviews folder", "archive", {"dir": "movie_reviews"}),
        ("select dataset imdb2026", "select_dataset", {"dir": "imdb2026"}),
        ("Select dataset. Movie reviews.", "select_dataset", {"dir": "movie_reviews"}),
        ("use the movie reviews data", "select_dataset", {"dir": "movie_reviews"}),
        ("select movie reviews as positive", "select_dataset",
         {"dir": "movie_reviews", "positive": True}),
        ("show me the instructions", "instruction", {}),
        ("that's wrong, it should be negative", "correct", {"text": "negative"}),
        ("correct that to positive", "correct", {"text": "positive"}),
        ("great job", "feedback", {"text": "great job"}),
        ("feedback the bot answers slowly", "feedback", {"text": "the bot answers slowly"}),
        ("send me the file report csv", "getfile", {"path": "report.csv"}),
        ("what can you do?", "help", {}),
        ("What's the status?", "status", {}),
        ("how is the training going", "status", {}),
        ("can you cancel the training now", "cancel", {}),
        ("never mind", "cancel", {}),
    ],
)  # fmt: skip
def test_typed_sentences_map_to_commands(
    matcher: IntentMatcher, text: str, command: str, slots: dict
) -> None:
    intent = matcher.match(text)
    assert intent is not None, text
    assert (intent.name, intent.slots) == (command, slots)


def test_a_dataset_name_not_in_the_list_is_a_last_resort(matcher: IntentMatcher) -> None:
    """Typed, an unknown name is selected by that name, so the command can say there is no
    such dataset; but only after the near sentences: a transcript's "IMDB 2026" is the known
    `imdb2026`, not a dataset named "imdb 2026", and speech never takes the wildcard."""
    typed = matcher.typed.match("select dataset cats")
    assert typed is not None and (typed.name, typed.slots) == ("select_dataset", {"dir": "cats"})
    assert matcher.match("select dataset cats") is None


@pytest.mark.parametrize(
    "text", ["call my mother tomorrow", "the weather is nice", "train", "select cats", ""]
)
def test_other_text_matches_nothing(matcher: IntentMatcher, text: str) -> None:
    assert matcher.match(text) is None


def test_wake_phrase_is_split_off(matcher: IntentMatcher) -> None:
    assert matcher.split_wake("Hey trainer, what's the status?") == (True, "what's the status")
    assert matcher.split_wake("okay trainer") == (True, "")
    assert matcher.split_wake("hey trade her") == (False, "hey trade her")
    intent = matcher.match("hey trainer cancel")
    assert intent is not None and intent.wake and intent.name == "cancel"


def test_to_request_is_a_voice_request(matcher: IntentMatcher) -> None:
    intent = matcher.match("train on movie reviews")
    assert intent is not None
    user = User(id="42", name="ann")
    request = to_request(intent, user, guild_id="g1", channel_id="c1")
    assert request.command == "train" and request.source == "voice"
    assert request.options == {"data_dir": "movie_reviews"} and request.user is user
    assert (request.guild_id, request.channel_id) == ("g1", "c1")


def test_spoken_forms_of_names() -> None:
    words = Lexicon().is_word
    assert spoken_forms("movie_reviews", words) == ["movie reviews"]
    assert spoken_forms("imdb2026", words)[0] == "i m d b twenty twenty six"
    assert "s s t two" in spoken_forms("sst2", words)
    assert spoken_forms("Twitter-Sentiment", words) == ["twitter sentiment"]
    assert number_forms("2005")[0] == "two thousand five"
    assert number_forms("1905")[0] == "nineteen oh five"
    assert number_forms("1999")[0] == "nineteen ninety nine"
    assert number_forms("007") == ["zero zero seven"]
    assert spoken_forms("___", words) == []


def test_pronunciations_for_words_outside_cmudict() -> None:
    lex = Lexicon()
    prons = lex.pronunciations({"kaggle", "classifier", "trainer", "x"})
    assert prons["trainer"] == ("T R EY N ER",)
    assert prons["kaggle"][0].split()[:2] == ["K", "AE"]
    assert ipa_to_arpabet("kˈæɡəl") == "K AE G AH L"


def test_override_file_adds_and_replaces_intents(tmp_path: Path) -> None:
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "intents:\n  status:\n    data:\n      - sentences: ['are we there yet']\n"
        "  cancel:\n    data:\n      - sentences: ['abandon ship']\n",
        encoding="utf-8",
    )
    m = IntentMatcher(intents_file=extra)
    assert m.match("are we there yet").name == "status"  # type: ignore[union-attr]
    assert m.match("what's the status") is None  # replaced
    assert m.match("abandon ship").name == "cancel"  # type: ignore[union-attr]
    assert m.match("help").name == "help"  # type: ignore[union-attr]


def test_broken_override_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="intents_file"):
        IntentMatcher(intents_file=tmp_path / "missing.yaml")


@pytest.mark.parametrize(
    ("text", "command", "slots"),
    [
        ("show me the status", "status", {}),
        ("is the training done", "status", {}),
        ("kindly evaluate the model", "test", {}),
        ("how well does the model perform", "test", {}),
        ("let's use movie reviews", "select_dataset", {"dir": "movie_reviews"}),
        ("set the dataset to kaggle tweets", "select_dataset", {"dir": "kaggle_tweets"}),
        ("stop the job", "cancel", {}),
        ("train a new model", "train", {}),
        ("what commands do you know", "help", {}),
        ("open the user guide", "instruction", {}),
        ("cheers trainer", "feedback", {"text": "cheers trainer"}),
    ],
)
def test_more_ways_of_saying_each_command(
    matcher: IntentMatcher, text: str, command: str, slots: dict
) -> None:
    intent = matcher.match(text)
    assert intent is not None and (intent.name, intent.slots) == (command, slots)


@pytest.mark.parametrize(
    ("typed", "command", "slots"),
    [
        ("trian the model please", "train", {}),
        ("please strat training on movie reviews", "train", {"data_dir": "movie_reviews"}),
        ("whats teh status", "status", {}),
        ("selct dataset movie reviews", "select_dataset", {"dir": "movie_reviews"}),
    ],
)
def test_typed_text_with_typos_finds_the_command(
    matcher: IntentMatcher, typed: str, command: str, slots: dict
) -> None:
    assert matcher.match(typed) is None  # not an exact template sentence
    intent = matcher.typed.match(typed)
    assert intent is not None and (intent.name, intent.slots) == (command, slots)


@pytest.mark.parametrize(
    "junk",
    [
        "what a lovely day outside",
        "i love pizza",
        "cancel my dentist appointment",
        "tell me a joke",
        "list the groceries",  # "list the datasets" asks select_dataset for its list
        "trian",  # one word: the command-name "did you mean" answers it
    ],
)
def test_typed_junk_near_no_command_does_nothing(matcher: IntentMatcher, junk: str) -> None:
    assert matcher.typed.match(junk) is None


def test_typed_phrasings_stay_out_of_what_speech_can_be_heard_as(matcher: IntentMatcher) -> None:
    """Blocks marked `typed: true` are matched in writing but are neither in the voice grammar
    nor among the sentences speech snaps to: spoken into the grammar, "connect to the ..."
    absorbed "correct that to negative"."""
    from assistant.intents.snap import GrammarSnapper
    from audio.asr.grammar import build_grammar

    typed = matcher.match("connect to the voice chat")
    assert typed is not None and typed.name == "join"
    sentences = set(GrammarSnapper(matcher).sentences)
    assert "join the voice channel" in sentences
    assert "connect to the voice chat" not in sentences
    grammar = build_grammar(matcher, Lexicon()).jsgf
    assert "hop into" in grammar and "connect to" not in grammar


def test_files_are_called_by_the_names_people_give_them() -> None:
    assert file_words("archives/movie_reviews-20261203-154400-2.zip") == ["movie_reviews archive"]
    assert file_words("report.csv") == ["report", "report.csv"]
    assert file_words(".env") == [".env"] and file_words("notes") == ["notes"]
    m = IntentMatcher()
    newest, older = "archives/reviews-20261203-154400.zip", "archives/reviews-20261201-090000.zip"
    m.update_lists({"file": [newest, older, "summary.csv"]})
    spoken = m.match("hey trainer send me the reviews archive")
    assert spoken is not None and (spoken.name, spoken.slots) == ("getfile", {"path": newest})
    named = m.match("get the file summary")
    assert named is not None and named.slots == {"path": "summary.csv"}


def test_the_bots_name_is_taken_off_only_where_it_calls_the_bot() -> None:
    from assistant.intents.address import without_address

    names, greetings = ["trainer", "bot"], ["hey", "hi", "okay"]
    for line, rest in [
        ("Trainer: help", "help"),
        ("hey bot, join us", "join us"),
        ("okay trainer what's the status", "what's the status"),
        ("what can you do, bot?", "what can you do"),
        ("hi bot", ""),
        ("@Trainer switch to kaggle tweets", "switch to kaggle tweets"),  # a mention
        ("hey @bot, join us", "join us"),
        ("thanks @trainer", "thanks"),
    ]:
        address = without_address(line, names, greetings)
        assert address.called and address.rest == rest, (line, address)
    for line in [
        "bot is too slow",
        "i love this bot",
        "trainers are great",
        "hey, help",
        "hey bot's broken",
        "hello bot-maker, hi",
        "mail it to me@trainer",
        "@trainers rule",
    ]:
        assert without_address(line, names, greetings).rest == line
    # The loose reading, tried last: a bare name and written politeness off either end.
    for line, loose in [
        ("trainer status", "status"),
        ("load another dataset bot", "load another dataset"),
        ("disconnect pls", "disconnect"),
        ("pls connect to vc, trainer", "connect to vc"),
        ("bottle it up", "bottle it up"),
    ]:
        assert without_address(line, names, greetings, ["pls"]).loose == loose, line


def test_a_word_like_a_feedback_heading_starts_no_feedback() -> None:
    """ "suggestion: ..." is feedback; "review the examples" and "note that ..." are not."""
    from assistant.intents.matcher import IntentMatcher

    matcher = IntentMatcher()
    said = matcher.match("suggestion add more datasets")
    assert (
        said is not None and said.name == "feedback" and said.slots["text"] == "add more datasets"
    )
    for line in ("review the examples", "note that the model is slow", "bug in the bot"):
        found = matcher.match(line)
        assert found is None or found.name != "feedback", (line, found)


@pytest.mark.parametrize(
    "text",
    [
        "train the modle on movie reviews",
        "whats the staus",
        "select data set kaggle tweets",
        "please archiv the dataset",
        "can you pass me the salt",
        "x",
    ],
)
def test_a_search_with_a_least_similarity_finds_what_a_whole_search_finds(
    snapper: GrammarSnapper, text: str
) -> None:
    """Typed lines search only the sentence lengths that can reach their gate
    (`snap._within`): the same sentences, in the same order, as searching every one."""
    for least in (0.6, 0.88):
        every = [s for s in snapper.nearest(text, 60) if s.score >= least][:8]
        within = snapper.nearest(text, 8, least=least)
        assert [(s.sentence, s.score) for s in within] == [(s.sentence, s.score) for s in every]


async def test_searching_every_typed_sentence_leaves_the_event_loop_free() -> None:
    """Reading a line no template says searches every typed sentence (the bot reads the
    neural model's words so, in the model's thread). rapidfuzz holds the GIL through a
    search: one search over the whole index stopped the event loop for all of its 40 ms (for
    hundreds on a loaded machine). It searches in turns, and the loop runs between them. A
    loaded machine stretches both, so the longest wait is compared with the search, here
    over the typed sentences eight times over (a longer search: the same turns)."""
    import asyncio
    import gc

    from assistant.intents.search import extract
    from tests.loop_ticks import waited_beside
    from tests.voice_corpus import DATASETS

    matcher = IntentMatcher()
    matcher.update_lists({"dataset": DATASETS, "folder": DATASETS, "file": ["report.txt"]})
    snapper = GrammarSnapper(matcher, typed=True)
    line = "um so could you maybe tell me how the training thing is going"
    assert snapper.nearest(line, 1)  # the index is made or loaded before anything is timed
    keys = snapper._keys * 8
    gc.collect()  # the new list of 2.4 million is young: the next collection would walk it
    found, waited = await waited_beside(asyncio.to_thread(extract, line, keys, 5))
    assert len(found) == 5
    assert waited.longest < waited.took / 4, waited


async def test_loading_the_kept_typed_index_leaves_the_event_loop_free() -> None:
    """The typed index is kept on disk and loaded as voice starts (assistant/kept.py).
    Unpickled whole, it held the GIL for 150 ms at a time, half of its load, and a thread
    discord.py started meanwhile kept the event loop waiting; pickled in parts
    (assistant/intents/packed.py), the loop runs between them, and it loads as it was."""
    import asyncio
    import pickle

    from tests.loop_ticks import waited_beside
    from tests.voice_corpus import DATASETS

    matcher = IntentMatcher()
    matcher.update_lists({"dataset": DATASETS, "folder": DATASETS, "file": ["report.txt"]})
    snapper = GrammarSnapper(matcher, typed=True)
    assert snapper.nearest("hey there", 1)  # made or loaded before anything is timed
    index = snapper._index
    kept = pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)
    loaded, waited = await waited_beside(asyncio.to_thread(pickle.loads, kept))
    assert waited.longest < waited.took / 3, waited
    assert (loaded.sentences, loaded.keys, loaded.by_length) == (
        index.sentences,
        index.keys,
        index.by_length,
    )
    assert sum(k is s for k, s in zip(loaded.keys, loaded.sentences, strict=True)) == sum(
        k is s for k, s in zip(index.keys, index.sentences, strict=True)
    )  # a key that is its sentence is one string, as it was made


def test_no_spoken_sentence_is_another_commands_negated(matcher: IntentMatcher) -> None:
    """Said, "don't" is a short word a recognizer inserts and drops: a spoken sentence "don't
    <words>" whose words say another command turns one into the other ("hey trainer, could
    you train the classifier" was heard as "don't train the classifier", and cancelled)."""
    spoken = GrammarSnapper(matcher).sentences
    negated = [s for s in spoken if s.split()[0] in ("don't", "dont", "do")]
    clashes = []
    for sentence in negated:
        rest = sentence.removeprefix("do not ").split(maxsplit=1)[-1]
        own, other = matcher.match(sentence), matcher.match(rest)
        if own is not None and other is not None and other.name != own.name:
            clashes.append((sentence, own.name, other.name))
    assert not clashes, clashes[:10]
