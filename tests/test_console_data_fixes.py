"""Data and model commands typed at the console that a probe found going wrong: what the user
sees, in English and Russian, and that a refused line changes nothing."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.test_console_commands import refused_and_unchanged


async def trained(app: Assistant) -> tuple[TypedConsole, str]:
    """A console with `reviews` active and trained; its current model's version."""
    console = TypedConsole(app)
    assert (await console.send("select_dataset reviews"))["ok"]
    assert (await console.send("train"))["ok"]
    await console.wait()
    model = app.store.current_model(app.store.active_dataset("console"))
    assert model is not None
    return console, model.version


async def test_a_dataset_name_of_several_words_is_told_it_is_one_word(app: Assistant) -> None:
    """`create_dataset my data` said only "Too many arguments"; quoted, the name was refused
    as not being letters and digits, without saying the spaces were the matter."""
    console = TypedConsole(app)
    hint = (
        "A dataset name is one word, without spaces (quotes do not make several words one"
        " name): `my-data`, for example."
    )
    assert await refused_and_unchanged(app, console, "create_dataset my data") == hint
    assert await refused_and_unchanged(app, console, 'create_dataset "my data"') == hint
    # one word, quoted or not, is a name as before; a word that cannot be one says what can
    assert (await console.send('create_dataset "movies"'))["data"] == {"dataset": "movies"}
    assert (await console.send("create_dataset my-data"))["data"] == {"dataset": "my-data"}
    text = await refused_and_unchanged(app, console, "create_dataset bad name!")
    assert text.startswith("A dataset name is 1 to 40 letters of one alphabet"), text
    text = await refused_and_unchanged(app, console, "create_dataset my data please")
    assert text == hint
    assert (await console.send("language ru"))["ok"]
    text = await refused_and_unchanged(app, console, "create_dataset new set")
    assert text == (
        "Имя набора — одно слово, без пробелов (кавычки не делают несколько слов одним"
        " именем): например, `new-set`."
    )


async def test_items_labelled_with_labels_the_model_never_learnt_are_named_not_scored(
    app: Assistant, reviews: Path
) -> None:
    """`test [{"text": "x", "label": "nosuch"}]` scored the model 0% with no word about why:
    the model (negative, positive) can never say `nosuch`. Those labels are named, and the
    figures are measured on the items it can be right about."""
    console, model = await trained(app)
    reply = await console.send(
        'test [{"text": "x", "label": "nosuch"}, {"text": "a lovely film", "label": "positive"},'
        ' {"text": "y", "label": 5}, {"text": "z", "label": "nosuch"}]'
    )
    assert reply["ok"], reply
    assert (
        f"Labels model **{model}** was never trained on (it knows negative, positive):"
        " nosuch, 5. It cannot predict them, so the 3 items labelled with them are left out of"
        " the figures."
    ) in reply["text"]
    metrics = reply["data"]["metrics"]
    assert reply["data"]["unknown_labels"] == ["nosuch", "5"]
    assert set(metrics["per_label"]) <= {"negative", "positive"}, metrics
    assert metrics["accuracy"] == 1.0 and "Measured on the 1 item you labelled" in reply["text"]

    # nothing to measure: the predictions and why, no table of zeros
    only = await console.send('test [{"text": "x", "label": 5}]')
    assert only["ok"] and "metrics" not in only["data"] and "accuracy" not in only["text"]
    assert "so the 1 item labelled with one is left out of the figures." in only["text"]
    assert (await console.send("language ru"))["ok"]
    russian = await console.send('test [{"text": "x", "label": "nosuch"}, "y"]')
    assert (
        f"Метки, на которых модель **{model}** не обучалась (её метки: negative, positive):"
        " nosuch. Предсказать их она не может, поэтому 1 пример с такой меткой не вошёл в"
        " оценку."
    ) in russian["text"], russian["text"]


async def test_correcting_an_item_again_replaces_the_earlier_correction(
    app: Assistant, reviews: Path
) -> None:
    """Correcting item 1 of a reply three times stored three corrections (status counted
    them all); the latest one is the item's correction."""
    console, _ = await trained(app)
    tested = await console.send('test ["a lovely film", "dull"]')
    for line in ("1 negative", "1 positive", "1 negative", "2 negative"):
        assert (await console.send(f"correct #{tested['id']} {line}"))["ok"]
    stored = [(c.original, c.correction) for c in app.store.corrections("console")]
    assert sorted(stored) == [("a lovely film", "negative"), ("dull", "negative")]
    status = await console.send("status")
    assert (
        "Corrections of predictions in this dataset (used in every training run): 2"
        in (status["text"])
    ), status["text"]
    # the same text in another reply is another correction
    again = await console.send('test ["a lovely film"]')
    assert (await console.send(f"correct #{again['id']} positive"))["ok"]
    assert len(app.store.corrections("console")) == 3


async def test_use_model_of_the_version_in_use_says_so_and_changes_nothing(
    app: Assistant, reviews: Path
) -> None:
    """`use_model` naming the current version replied "Done: reviews now uses…"."""
    console, model = await trained(app)
    short = model.split("-")[0]
    text = await refused_and_unchanged(app, console, f"use_model {short}")
    assert text == (
        f"**reviews** already uses model **{model}**; nothing changed. `models` lists the others."
    )
    assert (await console.send("language ru"))["ok"]
    text = await refused_and_unchanged(app, console, f"use_model {model}")
    assert text == (
        f"**reviews** уже использует модель **{model}**; ничего не изменено. `models` покажет"
        " остальные."
    )


CSV_ROWS = [f"review number {n} was fine,positive" for n in range(30)]


async def test_a_csv_with_a_quote_never_closed_is_refused_pointing_at_its_line(
    app: Assistant, tmp_path: Path
) -> None:
    """A stray opening quote on line 3 took every row after it into one example, with no
    warning. It is refused, naming the line; quoted fields with commas and lines are kept."""
    console = TypedConsole(app)
    assert (await console.send("create_dataset csvs"))["ok"]
    broken = tmp_path / "broken.csv"
    broken.write_text(
        'text,label\nloved it,positive\n"awful, negative\n' + "\n".join(CSV_ROWS) + "\n"
    )
    text = await refused_and_unchanged(app, console, f"train +attach {broken}")
    assert text == (
        "`broken.csv`: the text that starts on line 3 runs on to line 33 and holds 31 lines"
        ' that read as rows of their own: most likely a quote (`"`) opened on line 3 is never'
        ' closed. Nothing was added; close that quote (or write it twice, `""`, to keep it'
        " as text) and send the file again."
    ), text
    assert (await console.send("language ru"))["ok"]
    text = await refused_and_unchanged(app, console, f"test +attach {broken}")
    assert text.startswith("`broken.csv`: текст, который начинается в строке 3"), text
    assert (await console.send("language en"))["ok"]

    # a review of many paragraphs, with commas, in quotes closed where they should be
    fine = tmp_path / "fine.csv"
    paragraphs = "\n".join(f"Part {n}, and more" for n in range(15))
    fine.write_text(
        f'text,label\n"loved it, really",positive\n"{paragraphs}",negative\n'
        + "\n".join(CSV_ROWS)
        + "\n"
    )
    added = await console.send(f"train +attach {fine}")
    assert added["ok"], added
    texts = dict(app.store.examples(app.store.active_dataset("console")))
    assert texts["loved it, really"] == "positive" and texts[paragraphs] == "negative"
    assert len(texts) == 32


async def test_control_characters_are_dropped_from_examples(app: Assistant, tmp_path: Path) -> None:
    """A NUL (or a bell, a right-to-left override) in a text was stored in the example; tabs
    and line breaks of a text stay."""
    console = TypedConsole(app)
    assert (await console.send("create_dataset clean"))["ok"]
    assert (await console.send('train "nice\x00 film\x07" false'))["ok"]
    await console.wait()
    notes = tmp_path / "notes.jsonl"
    notes.write_text('{"text": "a\\u0000b\\tc\\nd\\u202e!", "label": "positive"}\n')
    assert (await console.send(f"train +attach {notes}"))["ok"]
    await console.wait()
    dataset = app.store.active_dataset("console")
    assert sorted(text for text, _ in app.store.examples(dataset)) == ["ab\tc\nd!", "nice film"]
    db = sqlite3.connect(app.config.state_dir / "trainer.db")
    stored = [row[0] for row in db.execute("SELECT text FROM examples")]
    db.close()
    assert not any("\x00" in text or "\x07" in text for text in stored), stored
    listed = await console.send("examples")
    assert "nice film" in listed["text"], listed["text"]


async def test_a_nul_in_a_utf8_file_is_dropped_and_its_row_kept(
    app: Assistant, tmp_path: Path
) -> None:
    """A UTF-8 CSV with a NUL in one text was refused whole as "not text I can read", though
    the README says control characters such as a NUL are taken out of every example. The NUL
    goes and its row stays, in a `.csv` and a `.txt` alike; bytes with more control characters
    than lines (a binary file, UTF-32) are still no text."""
    rows = 'text,label\n"a lovely\x00 film",positive\ndull and slow,negative\n'
    (tmp_path / "nul.csv").write_bytes(rows.encode())
    (tmp_path / "nul.txt").write_bytes("a warm\x00 heart\nщедрый\x00 финал\n".encode())
    console = TypedConsole(app)
    assert (await console.send("create_dataset clean"))["ok"]
    added = await console.send(f"train +attach {tmp_path / 'nul.csv'}")
    assert added["ok"] and "Added 2 examples (negative 1, positive 1)." in added["text"], added
    added = await console.send(f"train +attach {tmp_path / 'nul.txt'}")
    assert added["ok"] and "Added 2 examples (positive 2)." in added["text"], added
    await console.wait()
    dataset = app.store.active_dataset("console")
    assert sorted(app.store.examples(dataset)) == [
        ("a lovely film", "positive"),
        ("a warm heart", "positive"),
        ("dull and slow", "negative"),
        ("щедрый финал", "positive"),
    ]
    binary = b"text,label\n" + b"\x00\x01\x02\x03,x\n" * 4
    (tmp_path / "blob.csv").write_bytes(binary)
    text = await refused_and_unchanged(app, console, f"train +attach {tmp_path / 'blob.csv'}")
    assert text.startswith("`blob.csv` is not text I can read"), text


ENGLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
"""The flag of England: the black flag, the tags of "gbeng" and the cancel tag."""


async def test_a_flag_made_of_tags_stays_in_an_example(app: Assistant, tmp_path: Path) -> None:
    """The flag of England in an example was stored as a black flag: its tag characters are
    format characters, and the filter of control characters dropped them. The tags of a flag
    stay, in a typed text, a file and a label; a lone tag, invisible, still goes."""
    console = TypedConsole(app)
    assert (await console.send("create_dataset flags"))["ok"]
    assert (await console.send(f'train "come on {ENGLAND}!" false'))["ok"]
    notes = tmp_path / "notes.jsonl"
    rows = [
        {"text": f"{ENGLAND} all the way", "label": f"fans {ENGLAND}"},
        {"text": "a lone\U000e0067 tag\U000e007f", "label": "positive"},
        {"text": "no end \U0001f3f4\U000e0067\U000e0062", "label": "positive"},
    ]
    notes.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    assert (await console.send(f"train +attach {notes}"))["ok"]
    await console.wait()
    assert sorted(app.store.examples(app.store.active_dataset("console"))) == [
        ("a lone tag", "positive"),
        (f"come on {ENGLAND}!", "negative"),
        ("no end \U0001f3f4", "positive"),
        (f"{ENGLAND} all the way", f"fans {ENGLAND}"),
    ]
    listed = await console.send("examples")
    assert f"come on {ENGLAND}!" in listed["text"], listed["text"]


async def test_a_model_whose_files_are_gone_is_explained_in_the_readers_language(
    app: Assistant, reviews: Path
) -> None:
    """`sklearn_backend.load` said in English, whatever the server's language, that the
    files of a model were missing."""
    console, model = await trained(app)
    assert (await console.send('train "a fine film"'))["ok"]
    await console.wait()
    older = app.store.model("console", model)
    assert older is not None and older.path is not None
    shutil.rmtree(older.path)
    text = await refused_and_unchanged(app, console, f"use_model {model}")
    assert text == (
        f"The files of model {model} are missing from the model folder; `train` makes a new one."
    )
    assert (await console.send("language ru"))["ok"]
    text = await refused_and_unchanged(app, console, f"use_model {model}")
    assert text == f"Файлов модели {model} нет в папке моделей; `train` создаст новую."


async def test_a_list_of_quoted_sentences_is_classified_as_several(
    app: Assistant, reviews: Path
) -> None:
    """`test "great", "awful"` was refused as JSON ("Extra data"), and "classify 'great',
    'awful', 'meh'" classified one sentence with the quotes and commas inside it. A list of
    quoted sentences without JSON's brackets is several sentences, however it is asked for
    (Russian «ёлочки» are quotes too); given to `train`, each is an example."""
    console, _ = await trained(app)
    for line in (
        'test "a lovely film", "dull and slow"',
        "test 'a lovely film', 'dull and slow'",
        "test 'a lovely film'; 'dull and slow'",
        "classify 'a lovely film', 'dull and slow'",
        "check these: 'a lovely film', 'dull and slow'",
        'what do you think about these: "a lovely film", "dull and slow"',
        "language ru",
        "проверь эти отзывы: «a lovely film», «dull and slow»",
    ):
        if line == "language ru":
            assert (await console.send(line))["ok"]
            continue
        reply = await console.send(line)
        assert reply["ok"], (line, reply)
        texts = [p["text"] for p in reply["data"]["predictions"]]
        assert texts == ["a lovely film", "dull and slow"], (line, reply["data"])
    one = await console.send("проверь «a lovely film»")
    assert [p["text"] for p in one["data"]["predictions"]] == ["a lovely film"]
    one = await console.send('test "a lovely film"')
    assert [p["text"] for p in one["data"]["predictions"]] == ["a lovely film"]
    reply = await console.send("add 'a lovely film', 'great fun' as positive")
    assert reply["ok"] and "Добавлено примеров: 2" in reply["text"], reply


async def test_training_on_a_dataset_the_data_folder_lacks_adds_no_example(
    app: Assistant, reviews: Path
) -> None:
    """`train on catz` and `train the model on movie_reviewz` added the examples "on catz" and
    "the model on movie_reviewz" to the active dataset, labelled positive: a request to train
    on a dataset that is not there, read as a text to learn. It is refused, naming what is
    near; one word or a sentence after `train` is still an example, as the README says."""
    console = TypedConsole(app)
    for line in ("train on catz", "train the model on the catz dataset", "retrain with catz"):
        text = await refused_and_unchanged(app, console, line)
        assert text == "There is no `catz` in the data folder.", (line, text)
    text = await refused_and_unchanged(app, console, "train the model on revews")
    assert text == "There is no `revews` in the data folder. Did you mean `reviews`?", text
    assert (await console.send("language ru"))["ok"]
    text = await refused_and_unchanged(app, console, "обучить модель на наборе catz")
    assert text == "В папке данных нет `catz`.", text
    added = await console.send("train on a rainy day the film was great")
    assert added["ok"] and added["data"]["added"] == 1, added
