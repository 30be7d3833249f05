"""Spoken test corpus shared by the voice tests and bench/voice_bench.py.

Commands carry the expected intent and slots; non-commands include near-homophones of the
wake phrase and sentences that reuse command words.
"""

from __future__ import annotations

from typing import Any

DATASETS = ["movie_reviews", "imdb2026", "kaggle_tweets"]
"""Folder names used as the run-time dataset and folder lists."""

COMMANDS: list[tuple[str, str | None, dict[str, Any]]] = [
    ("hey trainer say hi", "hi", {}),
    ("hey trainer hello", "hi", {}),
    ("hey trainer join the voice channel", "join", {}),
    ("hey trainer come join us", "join", {}),
    ("hey trainer leave the channel", "leave", {}),
    ("hey trainer disconnect", "leave", {}),
    ("hey trainer train the model", "train", {}),
    ("hey trainer start training on movie reviews", "train", {"data_dir": "movie_reviews"}),
    ("hey trainer retrain on kaggle tweets", "train", {"data_dir": "kaggle_tweets"}),
    ("okay trainer train the model on i m d b twenty twenty six", "train",
     {"data_dir": "imdb2026"}),
    ("hey trainer test the model", "test", {}),
    ("hey trainer run a test", "test", {}),
    ("hey trainer test the model on kaggle tweets", "test", {"dataset": "kaggle_tweets"}),
    ("hey trainer archive the movie reviews folder", "archive", {"dir": "movie_reviews"}),
    ("hey trainer zip up kaggle tweets", "archive", {"dir": "kaggle_tweets"}),
    ("hey trainer select dataset movie reviews", "select_dataset", {"dir": "movie_reviews"}),
    ("hey trainer use the i m d b twenty twenty six data", "select_dataset", {"dir": "imdb2026"}),
    ("hey trainer select kaggle tweets as negative", "select_dataset",
     {"dir": "kaggle_tweets", "positive": False}),
    ("hey trainer show me the instructions", "instruction", {}),
    ("hey trainer that's wrong it should be positive", "correct", {"text": "positive"}),
    ("hey trainer correct that to negative", "correct", {"text": "negative"}),
    ("hey trainer good job", "feedback", {"text": "good job"}),
    ("hey trainer thank you", "feedback", {"text": "thank you"}),
    ("hey trainer what can you do", "help", {}),
    ("hey trainer help me", "help", {}),
    ("hey trainer what's the status", "status", {}),
    ("okay trainer how is the training going", "status", {}),
    ("hey trainer cancel the training", "cancel", {}),
    ("hey trainer please stop the training now", "cancel", {}),
    ("okay trainer", None, {}),
]  # fmt: skip
"""(sentence, command or None for "wake phrase only", slots)."""

NON_COMMANDS: list[str] = [
    "hey trade her",
    "hey train her",
    "okay train her now",
    "a trainer came to the gym",
    "please call my mother tomorrow",
    "i like trains",
    "the weather is nice today",
    "what time is it",
    "hey that is a great movie",
    "can you pass the salt",
    "we should review the movie later",
    "my data set is on the table",
    "stop it right now you two",
    "i will test my car later",
    "this is a status symbol",
    "say hi to grandma for me",
    "the train leaves at seven",
    "did you see the game last night",
    "okay let's order some pizza",
    "i need to finish my homework first",
]
"""Speech that must not trigger anything."""

VOICES = ["en-us", "en-gb", "en-us+f3", "en-gb-x-rp+m3"]
SPEEDS = [150, 175]
