"""Dataset files as people save them, attached to `train` and `test` at the console: Excel's
Russian and Western code pages, other names for the text and label columns, pipes and `.tsv`,
`.json`, and the mistakes that were learnt as wrong examples (a text with an unquoted comma,
`NaN`, a list as a label). Each is read right, or refused naming where, changing nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.fakediscord import FakeDiscord, fixtures
from tests.test_console_commands import refused_and_unchanged, refused_in_russian
from tests.test_discord_text import error_text, is_error

fake, bot_config, bot = fixtures.fake, fixtures.bot_config, fixtures.bot

RUSSIAN_ROWS = [
    ("Отличный фильм, «Ёлки» — смотреть всем", "позитив"),
    ("скучно и затянуто", "негатив"),
    ("прекрасная игра актёров", "позитив"),
    ("пустая трата времени…", "негатив"),
]


def stored(app: Assistant) -> list[tuple[str, str]]:
    dataset = app.store.active_dataset("console")
    return sorted(app.store.examples(dataset)) if dataset else []


async def attached(app: Assistant, tmp_path: Path, name: str, data: bytes) -> TypedConsole:
    """A console with the dataset `files` active, and `name` written on the user's disk."""
    (tmp_path / name).write_bytes(data)
    console = TypedConsole(app)
    assert (await console.send("create_dataset files"))["ok"]
    return console


async def train(console: TypedConsole, tmp_path: Path, name: str) -> dict[str, Any]:
    return await console.send(f"train +attach {tmp_path / name}")


async def test_a_csv_excel_saved_on_a_russian_windows_is_read_as_russian(
    app: Assistant, tmp_path: Path
) -> None:
    """Excel's "CSV" on a Russian Windows: Windows-1251, `;` between fields, Russian column
    names. It was refused as "not UTF-8 text", then (saved as UTF-8) as having no `text`
    column. Now its rows are the examples, the reply says how it was read, and `test` reads
    the same file."""
    rows = "текст;метка\r\n" + "".join(f"{t};{lab}\r\n" for t, lab in RUSSIAN_ROWS)
    console = await attached(app, tmp_path, "отзывы.csv", rows.encode("cp1251"))
    reply = await train(console, tmp_path, "отзывы.csv")
    assert reply["ok"], reply
    assert reply["text"].startswith(
        '`отзывы.csv` is not UTF-8: I read it as Russian text in Windows-1251 (Excel\'s "CSV"'
        " on a Russian Windows).\nIf its examples look wrong, `undo` takes them back.\n"
        "`отзывы.csv`: the texts are its `текст` column and the labels its `метка` column.\n"
        "This adds the label `позитив` from the `метка` column of `отзывы.csv`: 2 examples."
    ), reply["text"]
    assert stored(app) == sorted(RUSSIAN_ROWS)
    await console.wait()
    measured = await console.send(f"test +attach {tmp_path / 'отзывы.csv'}")
    matrix = measured["data"]["metrics"]["confusion_matrix"]
    assert measured["ok"] and sum(map(sum, matrix)) == 4, measured
    # the older Russian code page, KOI8-R, and Latin-1 French are read as what they are
    koi8 = "text,label\n" + "".join(f'"{t}!",{lab}\n' for t, lab in RUSSIAN_ROWS[1:3])
    (tmp_path / "koi8.csv").write_bytes(koi8.encode("koi8_r"))
    assert (await console.send("language ru"))["ok"]
    read = await train(console, tmp_path, "koi8.csv")
    assert read["text"].startswith(
        "`koi8.csv` не в UTF-8: я прочитал его как русский текст в KOI8-R."
    ), read
    assert ("скучно и затянуто!", "негатив") in stored(app)
    await console.wait()
    assert (await console.send("language en"))["ok"]
    (tmp_path / "fr.txt").write_bytes("un café très réussi\nà éviter\n".encode("latin-1"))
    read = await train(console, tmp_path, "fr.txt")
    assert "read it as Western European text in Windows-1252 (Latin-1)" in read["text"], read
    assert ("à éviter", "positive") in stored(app)


async def test_a_folder_of_russian_files_saved_by_notepad_is_a_dataset(app: Assistant) -> None:
    """A folder dataset whose `.txt` files Notepad saved as "ANSI" on a Russian Windows was
    refused as a whole for its first such file."""
    for number, (text, label) in enumerate(RUSSIAN_ROWS):
        folder = app.root.root / "отзывы" / label
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{number}.txt").write_bytes(text.encode("cp1251"))
    # metadata beside the data, as a dataset downloaded from a hub has, is no rows
    (app.root.root / "отзывы" / "dataset_info.json").write_text('{"license": "cc"}', "utf-8")
    console = TypedConsole(app)
    reply = await console.send("select_dataset отзывы")
    assert reply["ok"] and reply["data"]["examples"] == 4, reply
    assert (
        "`отзывы/негатив/1.txt` is not UTF-8: I read it as Russian text in Windows-1251 (Excel's"
        ' "CSV" on a Russian Windows). So were 3 more files.\n'
        "If its words look wrong, save the files as UTF-8."
    ) in reply["text"], reply["text"]
    assert (await console.send("train"))["ok"]
    await console.wait()
    said = await console.send('test ["скучно и затянуто"]')
    assert said["ok"] and "негатив" in said["text"], said


async def test_text_in_no_code_page_it_reads_as_is_refused_not_learnt_as_mojibake(
    app: Assistant, tmp_path: Path
) -> None:
    """Czech in Windows-1250 reads as neither Russian nor Western text; UTF-8 with one stray
    byte would turn every Russian letter into two wrong ones in a code page: both refused,
    the second naming its line."""
    console = await attached(app, tmp_path, "cz.txt", "žluťoučký kůň úpěl".encode("cp1250"))
    text = await refused_and_unchanged(app, console, f"train +attach {tmp_path / 'cz.txt'}")
    assert text == (
        "`cz.txt` is not text I can read: not UTF-8 or UTF-16, nor Russian (Windows-1251,"
        ' KOI8-R) or Western European (Windows-1252) text. Save it as UTF-8 (in Excel, "CSV'
        ' UTF-8") and send it again.'
    )
    broken = "text,label\nотличный фильм,позитив\n".encode() + b"\xff\xfe fine,negative\n"
    (tmp_path / "broken.csv").write_bytes(broken)
    line = f"train +attach {tmp_path / 'broken.csv'}"
    assert await refused_and_unchanged(app, console, line) == (
        "`broken.csv` is UTF-8 text, but line 3 holds a byte that is not UTF-8 (0xFF): the file"
        " is damaged, or joined from files in two encodings. Nothing was added; save it again"
        " as UTF-8 and send it again."
    )
    assert (await refused_in_russian(app, console, line)).startswith(
        "`broken.csv` — текст в UTF-8, но в строке 3 есть байт не из UTF-8 (0xFF)"
    )


async def test_a_text_with_an_unquoted_comma_is_refused_at_its_line(
    app: Assistant, tmp_path: Path
) -> None:
    """`great, really good,positive` under `text,label` was stored as the text `great` with
    the label `really good`: the field after the comma taken for the label, the last dropped."""
    rows = "text,label\nawful,negative\ngreat, really good,positive\n"
    console = await attached(app, tmp_path, "reviews.csv", rows.encode())
    line = f"train +attach {tmp_path / 'reviews.csv'}"
    assert await refused_and_unchanged(app, console, line) == (
        "`reviews.csv` line 3 has 3 fields, but its first line names 2 columns: a text with `,`"
        ' in it must be in double quotes (`"great, really",positive`), or its words after `,`'
        " are read as its label. Nothing was added."
    )
    assert (await refused_in_russian(app, console, line)).startswith(
        "В `reviews.csv`, строка 3, полей 3, а первая строка называет столбцов: 2."
    )
    # an empty field at the end (a spreadsheet's empty column) is no text with a comma
    (tmp_path / "trailing.csv").write_bytes(b"text,label\nawful,negative,\n")
    assert (await train(console, tmp_path, "trailing.csv"))["ok"]
    assert stored(app) == [("awful", "negative")]


async def test_columns_called_as_public_datasets_call_them_are_read(
    app: Assistant, tmp_path: Path
) -> None:
    """`review,sentiment` (IMDB), `sentence,label`, `|` between fields, a `.tsv` and Excel's
    `sep=;` line were refused ("needs a `text` column", "files of type `.tsv` are not
    accepted"), and a column of texts alone kept a text only up to its first comma."""
    console = await attached(app, tmp_path, "imdb.csv", b"review,sentiment\nawful,negative\n")
    reply = await train(console, tmp_path, "imdb.csv")
    assert reply["text"].startswith(
        "`imdb.csv`: the texts are its `review` column and the labels its `sentiment` column.\n"
        "This adds the label `negative` from the `sentiment` column of `imdb.csv`: 1 example."
    ), reply
    files = {
        "sst.csv": b"label,sentence\npositive,a lovely film\n",
        "pipes.csv": b"text|label\ndull|negative\n",
        "tabs.tsv": b"text\tlabel\nsuperb\tpositive\n",
        # Excel's line naming the separator; a file of texts alone keeps a text's commas
        "excel.csv": b"sep=;\r\ntext;label\r\nslow, then dull;negative\r\n",
        "texts.csv": b"text\nwarm, funny and wise\n",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        assert (await train(console, tmp_path, name))["ok"], name
        await console.wait()
    assert stored(app) == [
        ("a lovely film", "positive"),
        ("awful", "negative"),
        ("dull", "negative"),
        ("slow, then dull", "negative"),
        ("superb", "positive"),
        ("warm, funny and wise", "positive"),
    ]


async def test_a_csv_of_two_columns_without_a_header_is_read_as_text_and_label(
    app: Assistant, tmp_path: Path
) -> None:
    """`great film,positive` on a CSV's first line, as people export two columns, was refused
    as having no column of texts. A first line whose label later rows have too, or that is a
    number or a word of sentiment, is a row: the file is read as text and label, and the
    reply says so. A first line that may be a header of names unknown here is still refused
    asking for a header, and nothing changes."""
    rows = "great film,positive\nawful film,negative\n"
    console = await attached(app, tmp_path, "bare.csv", rows.encode())
    reply = await train(console, tmp_path, "bare.csv")
    assert reply["ok"] and reply["text"].startswith(
        "`bare.csv` has no header line naming its columns, so I read its first column as the"
        " texts and its second as the labels.\nThis adds the label `positive` from the `label`"
        " column of `bare.csv`: 1 example."
    ), reply
    await console.wait()
    emotions = "i feel so sad;sadness\ni am thrilled;joy\nwhat a gloomy day;sadness\n"
    (tmp_path / "emotions.csv").write_text(emotions, encoding="utf-8")
    assert (await train(console, tmp_path, "emotions.csv"))["ok"]
    await console.wait()
    unknown = "title,score\nhi,joy\nok,calm\n"  # `score` is no label of its rows
    (tmp_path / "unknown.csv").write_text(unknown, encoding="utf-8")
    line = f"train +attach {tmp_path / 'unknown.csv'}"
    assert (await refused_and_unchanged(app, console, line)).startswith(
        "`unknown.csv` needs a column of texts, and its first line must name the columns"
    )
    (tmp_path / "отзывы.csv").write_text("скучно;негатив\nпрекрасно;позитив\n", encoding="utf-8")
    assert (await console.send("language ru"))["ok"]
    reply = await train(console, tmp_path, "отзывы.csv")
    assert reply["ok"] and reply["text"].startswith(
        "В `отзывы.csv` нет первой строки с названиями столбцов, поэтому первый столбец"
        " прочитан как тексты, второй — как метки."
    ), reply
    await console.wait()
    assert (await refused_and_unchanged(app, console, line)).startswith(
        "В `unknown.csv` нужен столбец текстов"
    )
    assert stored(app) == [
        ("awful film", "negative"),
        ("great film", "positive"),
        ("i am thrilled", "joy"),
        ("i feel so sad", "sadness"),
        ("what a gloomy day", "sadness"),
        ("прекрасно", "позитив"),
        ("скучно", "негатив"),
    ]


async def test_test_says_which_columns_of_an_attached_csv_it_read(
    app: Assistant, tmp_path: Path
) -> None:
    """`train +attach` of a CSV without a header line (or with other column names) says which
    columns it read; `test +attach` of the same file read them silently, so a wrong guess
    went unseen. It says so now, in the server's language."""
    rows = "great film,positive\nawful film,negative\nloved it,positive\nboring,negative\n"
    console = await attached(app, tmp_path, "bare.csv", rows.encode())
    assert (await train(console, tmp_path, "bare.csv"))["ok"]
    await console.wait()
    reply = await console.send(f"test +attach {tmp_path / 'bare.csv'}")
    assert reply["ok"] and reply["text"].startswith(
        "`bare.csv` has no header line naming its columns, so I read its first column as the"
        " texts and its second as the labels.\n4 predictions with model"
    ), reply
    (tmp_path / "reviews.csv").write_text("review\na great film\nso dull\n", encoding="utf-8")
    reply = await console.send(f"test +attach {tmp_path / 'reviews.csv'}")
    assert reply["ok"] and reply["text"].startswith(
        "`reviews.csv`: the texts are its `review` column; it has no column of labels, so I"
        " only predict them (nothing to measure).\n2 predictions"
    ), reply
    assert (await console.send("language ru"))["ok"]
    reply = await console.send(f"test +attach {tmp_path / 'bare.csv'}")
    assert reply["ok"] and reply["text"].startswith(
        "В `bare.csv` нет первой строки с названиями столбцов"
    ), reply


async def test_json_values_that_are_no_text_or_label_are_refused_at_their_line(
    app: Assistant, tmp_path: Path
) -> None:
    """`NaN` (which Python writes for a missing value) was stored as the label or text `nan`,
    a list as the label `['negative']` and an object as the text `{'a': 1}`."""
    console = await attached(app, tmp_path, "x.jsonl", b"")
    cases = {
        '{"text": "fine", "label": "positive"}\n{"text": "great", "label": NaN}\n': (
            "`x.jsonl` line 2 holds `NaN`, which is no JSON number; write it in quotes if it is"
            " a label or a text, else leave the field out."
        ),
        '{"text": "bad", "label": ["negative"]}\n': (
            "`x.jsonl` line 1: A label must be a word or a number, not a list or an object."
        ),
        '{"text": {"a": 1}, "label": "positive"}\n': (
            "`x.jsonl` line 1: its `text` is a list, an object or true/false; a text must be a"
            " string."
        ),
        '{"text": "ok"}\n{"text": "bad", "label": \n': (
            "`x.jsonl` line 2 is not valid JSON: Expecting value (column 26)."
        ),
    }
    for rows, refusal in cases.items():
        (tmp_path / "x.jsonl").write_text(rows, encoding="utf-8")
        line = f"train +attach {tmp_path / 'x.jsonl'}"
        assert await refused_and_unchanged(app, console, line) == refusal
    assert stored(app) == []
    # a number written as pandas writes it beside an empty cell (1.0) is the label 1
    (tmp_path / "x.jsonl").write_text('{"text": "a", "label": 1.0}\n"b"\n', encoding="utf-8")
    assert (await train(console, tmp_path, "x.jsonl"))["ok"]
    assert stored(app) == [("a", "1"), ("b", "positive")]


async def test_a_json_file_trains_as_typed_json_does(app: Assistant, tmp_path: Path) -> None:
    """`train +attach data.json` was refused ("files of type `.json` are not accepted") though
    `test` takes it and `train [...]` takes the same list typed; a table's columns
    (`{"text": [...], "label": [...]}`, and pandas' `to_json()`) are rows too. An empty file
    says it is empty."""
    rows = [{"text": "a lovely film", "label": "positive"}, "superb", {"text": "dull"}]
    console = await attached(app, tmp_path, "list.json", json.dumps(rows).encode())
    reply = await train(console, tmp_path, "list.json")
    assert reply["ok"], reply
    columns = {"text": ["awful", "boring"], "label": ["negative", "negative"]}
    (tmp_path / "columns.json").write_text(json.dumps(columns), encoding="utf-8")
    assert (await train(console, tmp_path, "columns.json"))["ok"]
    await console.wait()
    pandas = {"text": {"0": "tedious", "1": "moving"}, "label": {"0": "negative", "1": None}}
    (tmp_path / "pandas.json").write_text(json.dumps(pandas), encoding="utf-8")
    assert (await train(console, tmp_path, "pandas.json"))["ok"]
    await console.wait()
    assert stored(app) == [
        ("a lovely film", "positive"),
        ("awful", "negative"),
        ("boring", "negative"),
        ("dull", "positive"),
        ("moving", "positive"),
        ("superb", "positive"),
        ("tedious", "negative"),
    ]
    (tmp_path / "empty.csv").write_bytes(b"")
    line = f"train +attach {tmp_path / 'empty.csv'}"
    assert await refused_and_unchanged(app, console, line) == "`empty.csv` is empty (0 bytes)."
    assert await refused_in_russian(app, console, line) == "`empty.csv` пуст (0 байт)."


async def test_a_russian_csv_attached_on_discord_is_read(fake: FakeDiscord, bot: Any) -> None:
    """The same Excel file attached to `!train` on Discord."""
    rows = "текст;метка\r\n" + "".join(f"{t};{lab}\r\n" for t, lab in RUSSIAN_ROWS)
    sent = await fake.send_message("!train", attachments=[("отзывы.csv", rows.encode("cp1251"))])
    reply = await fake.wait_for_reply(after=sent["id"])
    assert not is_error(reply), error_text(reply)
    assert "Added 4 examples (негатив 2, позитив 2)" in reply["content"], reply
    store = bot.assistant.store
    assert sorted(store.examples(store.active_dataset(str(fake.guild_id)))) == sorted(RUSSIAN_ROWS)


async def test_a_table_saved_as_txt_is_refused_not_learnt_with_its_labels_inside(
    app: Assistant, tmp_path: Path
) -> None:
    """A `.txt` of `text;label` lines (as Kaggle's emotion dataset ships) was added one example
    a line, `i feel sad;sadness` labelled positive: every label kept inside its text. `test`
    measured such a file the same way. A workbook is told how to save it as CSV."""
    rows = "i feel so sad today;sadness\ni am thrilled;joy\nwhat a gloomy morning;sadness\n"
    console = await attached(app, tmp_path, "train.txt", rows.encode())
    line = f"train +attach {tmp_path / 'train.txt'}"
    assert await refused_and_unchanged(app, console, line) == (
        "`train.txt` is a table, not one example a line: every line ends in `;` and one of 2"
        " labels (joy, sadness), which a `.txt` would keep inside the texts. Nothing was"
        " added; rename it to `.csv` with `text;label` as its first line and send it again."
    )
    test_line = f"test +attach {tmp_path / 'train.txt'}"
    assert (await refused_and_unchanged(app, console, test_line)).startswith(
        "`train.txt` is a table, not one example a line"
    )
    assert (await refused_in_russian(app, console, line)).startswith(
        "`train.txt` — это таблица, а не пример на строку: каждая строка кончается на `;`"
    )
    assert (await console.send("language en"))["ok"]
    # sentences that only sometimes hold a `;` are sentences
    (tmp_path / "notes.txt").write_text(
        "slow; then dull\nwarm and wise\nfunny; sad; true\n", encoding="utf-8"
    )
    assert (await train(console, tmp_path, "notes.txt"))["ok"]
    (tmp_path / "book.xlsx").write_bytes(b"PK\x03\x04 a workbook")
    text = await refused_and_unchanged(app, console, f"train +attach {tmp_path / 'book.xlsx'}")
    assert text.startswith("`book.xlsx` is a spreadsheet, which I cannot read: save it as CSV")


async def test_rows_without_a_label_among_labelled_ones_are_said(
    app: Assistant, tmp_path: Path
) -> None:
    """Rows with an empty label cell (or none at all) in a labelled file got the request's label
    `positive` without a word once the dataset had that label; a label of spaces was refused as
    "A label is empty" without saying where, and a bad label without its line."""
    rows = "text,label\nawful,negative\nsuperb,positive\ntedious, \ndreary\n"
    console = await attached(app, tmp_path, "gaps.csv", rows.encode())
    reply = await train(console, tmp_path, "gaps.csv")
    assert reply["text"].startswith(
        "2 rows of `gaps.csv` have no label, so they got the request's label `positive`; if"
        " that is wrong, give them theirs in the file.\n"
    ), reply["text"]
    assert stored(app) == [
        ("awful", "negative"),
        ("dreary", "positive"),
        ("superb", "positive"),
        ("tedious", "positive"),
    ]
    await console.wait()
    (tmp_path / "more.jsonl").write_text('{"text": "x", "label": "negative"}\n"y"\n', "utf-8")
    reply = await train(console, tmp_path, "more.jsonl")
    assert reply["text"].startswith("1 row of `more.jsonl` has no label, so it got"), reply
    await console.wait()
    # a JSON row's label is a field, not a column
    (tmp_path / "new.jsonl").write_text('{"text": "z", "label": "meh"}\n', "utf-8")
    reply = await train(console, tmp_path, "new.jsonl")
    assert "This adds the label `meh` from the `label` field of `new.jsonl`" in reply["text"]
    await console.wait()
    (tmp_path / "tick.csv").write_text("text,label\nfine,ok\nbad,`neg`\n", encoding="utf-8")
    text = await refused_and_unchanged(app, console, f"train +attach {tmp_path / 'tick.csv'}")
    assert text.startswith("`tick.csv` line 3: `\\u0060neg\\u0060` cannot be a label"), text


async def test_a_text_over_the_limit_is_refused_at_its_line(app: Assistant, tmp_path: Path) -> None:
    """ "An example in `long.csv` has 25,000 characters" did not say which of its rows."""
    long = "word " * 5000
    rows = f"text,label\nfine,positive\n{long},negative\n"
    console = await attached(app, tmp_path, "long.csv", rows.encode())
    line = f"train +attach {tmp_path / 'long.csv'}"
    assert await refused_and_unchanged(app, console, line) == (
        "An example in `long.csv` line 3 has 24,999 characters; the limit is 20,000. Split long"
        " texts into several examples."
    )
    assert await refused_in_russian(app, console, line) == (
        "В примере из `long.csv`, строка 3 — 24\u00a0999 символов; предел — 20\u00a0000. Разделите"
        " длинные тексты на несколько примеров."
    )
    (tmp_path / "long.jsonl").write_text(f'"ok"\n{{"text": "{long}"}}\n', encoding="utf-8")
    text = await refused_and_unchanged(app, console, f"train +attach {tmp_path / 'long.jsonl'}")
    assert text.startswith("В примере из `long.jsonl`, строка 2 — 24\u00a0999 символов"), text


async def test_a_file_without_a_type_says_so(app: Assistant, tmp_path: Path) -> None:
    """`train +attach passwd` said "files of type `none` are not accepted", as if `none` were
    a type; the file's name has no type at all. Nothing is stored either way."""
    console = await attached(app, tmp_path, "passwd", b"root:x:0:0\n")
    line = f"train +attach {tmp_path / 'passwd'}"
    assert await refused_and_unchanged(app, console, line) == (
        "`passwd` has no file type in its name (such as `.txt` or `.csv`), so I cannot tell how"
        " to read it; send .txt, .csv, .tsv, .json, .jsonl or .zip."
    )
    assert (await refused_in_russian(app, console, line)).startswith(
        "В имени `passwd` нет типа файла"
    )
    assert stored(app) == []
