"""JSON datasets whose fields are not called `text` and `label`: SST's JSON Lines
(`{"sentence": ..., "label": 1}`), IMDB's (`{"review": ..., "sentiment": ...}`), rows wrapped
in an object (`{"data": [...]}`). A CSV with those column names was read; the same rows in
JSON were refused ("needs a text: ... an object with a `text` field")."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.test_console_commands import refused_and_unchanged, refused_in_russian
from tests.test_dataset_files import attached, stored, train

SST = [
    {"idx": 0, "sentence": "a gorgeous, witty film", "label": 1},
    {"idx": 1, "sentence": "flat and lifeless", "label": 0},
    {"idx": 2, "sentence": "moving and funny", "label": 1},
    {"idx": 3, "sentence": "a tedious mess", "label": 0},
]


def jsonl(rows: list[dict[str, object]]) -> bytes:
    return "".join(json.dumps(row) + "\n" for row in rows).encode()


async def test_sst_json_lines_train_and_test_saying_which_fields_were_read(
    app: Assistant, tmp_path: Path
) -> None:
    console = await attached(app, tmp_path, "sst.jsonl", jsonl(SST))
    reply = await train(console, tmp_path, "sst.jsonl")
    assert reply["ok"], reply
    assert reply["text"].startswith(
        "`sst.jsonl`: the texts are its `sentence` field and the labels its `label` field.\n"
    ), reply
    await console.wait()
    assert stored(app) == sorted((str(r["sentence"]), str(r["label"])) for r in SST)
    reply = await console.send(f"test +attach {tmp_path / 'sst.jsonl'}")
    assert reply["ok"] and reply["text"].startswith(
        "`sst.jsonl`: the texts are its `sentence` field and the labels its `label` field.\n"
        "4 predictions with model"
    ), reply
    assert "accuracy" in reply["text"], reply  # its labels were read: the table is there
    # rows with no label field are predicted only, and the reply says why nothing is measured
    unlabelled = [{"sentence": "what a film"}, {"sentence": "so dull"}]
    (tmp_path / "new.jsonl").write_bytes(jsonl(unlabelled))
    reply = await console.send(f"test +attach {tmp_path / 'new.jsonl'}")
    assert reply["ok"] and reply["text"].startswith(
        "`new.jsonl`: the texts are its `sentence` field; it has no field of labels, so I only"
        " predict them (nothing to measure).\n2 predictions with model"
    ), reply


async def test_imdb_rows_in_a_json_list_name_their_label_field(
    app: Assistant, tmp_path: Path
) -> None:
    rows = [
        {"Review": "an instant classic", "Sentiment": "positive"},
        {"Review": "two hours I will never get back", "Sentiment": "negative"},
    ]
    console = await attached(app, tmp_path, "imdb.json", json.dumps(rows).encode())
    reply = await train(console, tmp_path, "imdb.json")
    assert reply["ok"], reply
    assert reply["text"].startswith(
        "`imdb.json`: the texts are its `Review` field and the labels its `Sentiment` field.\n"
        "This adds the label `positive` from the `Sentiment` field of `imdb.json`: 1 example."
    ), reply
    assert stored(app) == [
        ("an instant classic", "positive"),
        ("two hours I will never get back", "negative"),
    ]


async def test_rows_wrapped_in_an_object_are_read_and_several_lists_refused(
    app: Assistant, tmp_path: Path
) -> None:
    wrapped = {"version": 2, "data": [{"text": "superb", "label": "pos"}, "lovely"]}
    console = await attached(app, tmp_path, "w.json", json.dumps(wrapped).encode())
    reply = await train(console, tmp_path, "w.json")
    assert reply["ok"] and reply["text"].startswith("`w.json`: its rows are its `data` list.\n")
    assert stored(app) == [("lovely", "positive"), ("superb", "pos")]
    # a table's columns under other names are rows too
    columns = {"sentence": ["dreary", "grim"], "label": ["neg", "neg"]}
    (tmp_path / "c.json").write_text(json.dumps(columns), encoding="utf-8")
    assert (await train(console, tmp_path, "c.json"))["ok"]
    await console.wait()
    assert ("dreary", "neg") in stored(app) and ("grim", "neg") in stored(app)
    # which of two lists is meant is not known: refused, naming them, storing nothing
    split = {"train": [{"text": "a", "label": "x"}], "test": [{"text": "b", "label": "y"}]}
    (tmp_path / "split.json").write_text(json.dumps(split), encoding="utf-8")
    line = f"train +attach {tmp_path / 'split.json'}"
    assert await refused_and_unchanged(app, console, line) == (
        "`split.json` holds several lists (`train`, `test`) and no text; send one list of rows"
        " (or one object of `text` and `label` lists)."
    )
    assert await refused_in_russian(app, console, line) == (
        "`split.json`: несколько списков (`train`, `test`) и нет текста; пришлите один список"
        " строк (или объект со списками `text` и `label`)."
    )


async def test_an_object_with_no_field_of_texts_is_refused_naming_the_names_read(
    app: Assistant, tmp_path: Path
) -> None:
    rows = [{"title": "x", "score": 3}]
    console = await attached(app, tmp_path, "t.jsonl", jsonl(rows))
    line = f"train +attach {tmp_path / 't.jsonl'}"
    assert await refused_and_unchanged(app, console, line) == (
        "`t.jsonl` line 1 needs a text: a string, or an object with a `text` field (or"
        " `sentence`, `review`, `comment`, …)."
    )
    assert stored(app) == []


async def test_typed_json_reads_the_same_field_names(app: Assistant) -> None:
    console = TypedConsole(app)
    rows = [("a joy", "pos"), ("a bore", "neg"), ("fun", "pos"), ("dull", "neg")]
    typed = json.dumps([{"text": text, "label": label} for text, label in rows])
    assert (await console.send(f"train {typed}"))["ok"]
    await console.wait()
    reply = await console.send('test [{"sentence": "a joy to watch", "sentiment": "pos"}]')
    assert reply["ok"] and "1 prediction with model" in reply["text"], reply
    assert "(labelled pos)" in reply["text"] or "✓" in reply["text"], reply
