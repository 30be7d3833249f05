"""Names typed at the console by a hostile tester: a file or folder named by its path, in a
sentence, with spaces, quotes, backticks, invisible characters or another case, is found as
typed and shown so that the reply reads right (a refused line changes nothing)."""

from __future__ import annotations

from assistant.app import Assistant
from tests.consoles import TypedConsole
from tests.corpus import write_folder_dataset
from tests.test_console_commands import refused_and_unchanged, refused_in_russian


async def test_a_file_that_is_not_utf8_is_named_by_its_path_in_the_folder(app: Assistant) -> None:
    """Every sub-folder of a dataset has its `0000.txt`: the name alone does not say which one
    to fix."""
    root = write_folder_dataset(app.root.root, name="mixed", per_label=3)
    (root / "negative" / "0001.txt").write_bytes("žluťoučký kůň".encode("cp1250"))
    console = TypedConsole(app)
    text = await refused_and_unchanged(app, console, "select_dataset mixed")
    assert text.startswith("`mixed/negative/0001.txt` is not text I can read: not UTF-8"), text
    assert (await console.send("create_dataset notes"))["ok"]
    text = await refused_and_unchanged(app, console, "train folder:mixed")
    assert text.startswith("`mixed/negative/0001.txt` is not text I can read: not UTF-8"), text


async def test_a_folder_named_in_cyrillic_is_chosen_in_a_sentence(app: Assistant) -> None:
    """«выбери набор reviews» (the Russian guide) works for a folder whose name has no Latin
    letters or digits too, and so does the English sentence."""
    write_folder_dataset(app.root.root, name="Отзывы", per_label=3)
    write_folder_dataset(app.root.root, name="reviews", per_label=3)
    console = TypedConsole(app)
    chosen = await console.send("select dataset Отзывы")
    assert chosen["ok"] and chosen["text"].startswith("Active dataset: **Отзывы**."), chosen
    assert (await console.send("select dataset reviews"))["ok"]
    assert (await console.send("language ru"))["ok"]
    chosen = await console.send("выбери набор Отзывы")
    assert chosen["ok"] and chosen["text"].startswith("Активный набор данных: **Отзывы**."), chosen
    assert app.store.active_dataset("console").name == "Отзывы"


async def test_a_file_named_with_file_is_named_by_its_path_too(app: Assistant) -> None:
    """`train file:a/1.txt` then `file:b/1.txt`: both replies said `1.txt`."""
    for folder, body in (("a", b"fine words"), ("b", "žluťoučký kůň".encode("cp1250"))):
        (app.root.root / "files" / folder).mkdir(parents=True)
        (app.root.root / "files" / folder / "1.txt").write_bytes(body)
    console = TypedConsole(app)
    assert (await console.send("create_dataset notes"))["ok"]
    text = await refused_and_unchanged(app, console, "train file:files/b/1.txt")
    assert text.startswith("`files/b/1.txt` is not text I can read: not UTF-8"), text
    added = await console.send("train file:files/a/1.txt label:fine")
    assert added["text"].startswith("This adds the label `fine` from `files/a/1.txt`: 1 example.")


async def test_a_file_asked_for_from_somewhere_names_the_place(app: Assistant) -> None:
    """ "get the file from the printer" asked getfile for a file `from the printer`."""
    console = TypedConsole(app)
    text = await refused_and_unchanged(app, console, "get the file from the printer")
    assert text == "There is no `printer` in the data folder.", text
    (app.root.root / "notes").mkdir()
    (app.root.root / "notes" / "Report One.txt").write_text("fine", encoding="utf-8")
    sent = await console.send("send me the file from notes/Report One.txt")
    assert sent["ok"] and sent["text"].startswith("Here is `notes/Report One.txt`"), sent


async def test_a_name_typed_in_a_sentence_is_quoted_as_typed(app: Assistant) -> None:
    """ "use dataset ../state" was refused as "`/state` is an absolute path": the name had lost
    its dots to the sentence reader."""
    console = TypedConsole(app)
    text = await refused_and_unchanged(app, console, "use dataset ../state")
    assert text.startswith("`../state` points outside the data folder"), text
    saved = await console.send("my feedback is The Bot, Sadly, Forgets THINGS")
    assert saved["ok"], saved
    assert [f.text for f in app.store.feedback("console")] == ["The Bot, Sadly, Forgets THINGS"]


async def test_a_name_with_backticks_stays_one_code_span(app: Assistant) -> None:
    """A folder named ``my`data`` closed the reply's code span in the middle of its name
    (`` `my`data` `` shows `my` as code, then `data` and a stray backtick); a name is quoted with
    a fence longer than any run of backticks in it, and in bold its backticks are escaped."""
    write_folder_dataset(app.root.root, name="my`data", per_label=2)
    console = TypedConsole(app)
    chosen = await console.send("select_dataset my`data")
    assert chosen["text"] == (
        "Active dataset: **my\\`data**. Folder `` my`data ``: negative 2, positive 2."
    ), chosen
    made = await console.send("archive my`data")
    assert made["text"].startswith("Archived `` my`data `` (4 files) to `` archives/my`data-"), made
    write_folder_dataset(app.root.root, name="a``b", per_label=2)
    chosen = await console.send("select_dataset a``b")
    assert "Folder ``` a``b ```: negative 2, positive 2." in chosen["text"], chosen
    assert (await console.send("language ru"))["ok"]
    sent = await console.send("getfile my`data/positive/0000.txt")
    assert sent["text"].startswith("Вот `` my`data/positive/0000.txt `` ("), sent


async def test_a_file_name_with_spaces_typed_unquoted_is_found(app: Assistant) -> None:
    """`getfile docs/q3 sales report.txt` said only "Too many arguments": the words are the
    file's name, so it is sent, and the reply shows the quoted form, which works as typed."""
    (app.root.root / "docs").mkdir()
    (app.root.root / "docs" / "q3 sales report.txt").write_text("sales", encoding="utf-8")
    (app.root.root / "old notes").mkdir()
    (app.root.root / "old notes" / "1.txt").write_text("a note", encoding="utf-8")
    console = TypedConsole(app)
    sent = await console.send("getfile docs/q3 sales report.txt")
    assert sent["ok"] and sent["data"]["path"] == "docs/q3 sales report.txt", sent
    assert sent["text"].endswith(
        "I read the words as one name, `docs/q3 sales report.txt`; to be sure of it, quote it:"
        ' `getfile "docs/q3 sales report.txt"`.'
    ), sent
    typed = await console.send('getfile "docs/q3 sales report.txt"')
    assert typed["text"] == "Here is `docs/q3 sales report.txt` (5 bytes).", typed
    assert (await console.send("getfile docs/q3 sales report.txt please"))["ok"]
    made = await console.send("archive old notes")
    assert made["ok"] and made["text"].startswith("Archived `old notes` (1 file)"), made
    assert 'quote it: `archive "old notes"`.' in made["text"], made
    text = await refused_and_unchanged(app, console, "getfile docs/q3 report.txt")
    assert text == (
        "There is no `docs/q3 report.txt` in the data folder."
        " Did you mean `docs/q3 sales report.txt`?"
    ), text
    assert (await console.send("language ru"))["ok"]
    sent = await console.send("getfile docs/q3 sales report.txt")
    assert sent["text"].endswith('`getfile "docs/q3 sales report.txt"`.'), sent


async def test_a_dataset_name_with_spaces_typed_unquoted_is_found(app: Assistant) -> None:
    """Unquoted, the second word of `select_dataset reviews 2024` was taken for the yes/no
    option ("`positive` must be true or false, not `2024`"), and `select_dataset movie reviews
    false`, read as the sentence "select movie reviews", dropped its `false`. The words are the
    folder's name, as getfile takes a file's."""
    write_folder_dataset(app.root.root, name="reviews 2024", per_label=3)
    write_folder_dataset(app.root.root, name="movie reviews", per_label=2)
    console = TypedConsole(app)
    chosen = await console.send("select_dataset reviews 2024")
    assert chosen["ok"] and chosen["data"]["dataset"] == "reviews 2024", chosen
    assert chosen["text"] == (
        "Active dataset: **reviews 2024**. Folder `reviews 2024`: negative 3, positive 3.\n"
        "I read the words as one name, `reviews 2024`; to be sure of it, quote it:"
        ' `select_dataset "reviews 2024"`.'
    ), chosen
    typed = await console.send('select_dataset "reviews 2024"')
    assert typed["text"] == (
        "Active dataset: **reviews 2024**. Folder `reviews 2024`: negative 3, positive 3."
    ), typed
    assert (await console.send("select_dataset reviews 2024 please"))["ok"]
    chosen = await console.send("select_dataset movie reviews")  # as README shows it
    assert chosen["ok"] and chosen["data"]["dataset"] == "movie reviews", chosen
    assert (await console.send("create_dataset films"))["ok"]
    joined = await console.send("select_dataset movie reviews false")
    assert joined["data"] == {
        "dataset": "films",
        "folder": "movie reviews",
        "label": "negative",
        "examples": 4,
    }, joined
    text = await refused_and_unchanged(app, console, "select_dataset reviews 2025")
    near = "There is no `reviews 2025` in the data folder. Did you mean `reviews 2024`?"
    assert text == near, text
    text = await refused_in_russian(app, console, "select_dataset reviews 2025")
    assert text == "В папке данных нет `reviews 2025`. Может быть, `reviews 2024`?", text
    chosen = await console.send("select_dataset reviews 2024")
    assert chosen["text"].endswith('`select_dataset "reviews 2024"`.'), chosen


async def test_a_name_with_invisible_characters_is_shown_with_them_escaped(app: Assistant) -> None:
    """A right-to-left override in a file name (`report\\u202etxt.exe`) reversed the rest of
    the reply's line, so the file looked like `reportexe.txt`; a zero-width space hid in it."""
    (app.root.root / "report\u202etxt.exe").write_text("x", encoding="utf-8")
    console = TypedConsole(app)
    sent = await console.send("getfile report\u202etxt.exe")
    assert sent["text"] == "Here is `report\\u202etxt.exe` (1 byte).", sent
    text = await refused_and_unchanged(app, console, "getfile two\u200blines.txt")
    assert text == "There is no `two\\u200blines.txt` in the data folder.", text


async def test_a_character_beyond_the_basic_plane_is_escaped_with_all_its_digits(
    app: Assistant,
) -> None:
    """A lone tag character (U+E0067) before a "7" was shown as `\\ue00677`: four digits
    then "77", read as U+E006 and "77". It is shown as `\\U000e0067` then "7", in English
    and in Russian, in a code span and in bold; the basic plane keeps `\\u202e`."""
    (app.root.root / "tag\U000e00677\u202e.txt").write_text("x", encoding="utf-8")
    console = TypedConsole(app)
    sent = await console.send("getfile tag\U000e00677\u202e.txt")
    assert sent["text"] == "Here is `tag\\U000e00677\\u202e.txt` (1 byte).", sent
    text = await refused_and_unchanged(app, console, 'train "dull" label:bad\U000e00677')
    assert text.startswith("`bad\\U000e00677` cannot be a label"), text
    text = await refused_in_russian(app, console, "getfile no\U000e00677.txt")
    assert text == "В папке данных нет `no\\U000e00677.txt`.", text


async def test_names_that_differ_only_by_case_are_taken_as_typed(app: Assistant) -> None:
    """With folders `Notes` and `notes`, `archive notes please` archived `Notes` and `select
    dataset notes` chose `Notes`: a sentence's names were matched in lower case, and the first
    name of that spelling won."""
    for name in ("Notes", "notes"):
        (app.root.root / name).mkdir()
        (app.root.root / name / "a.txt").write_text(f"in {name}", encoding="utf-8")
    console = TypedConsole(app)
    made = await console.send("archive notes please")
    assert made["text"].startswith("Archived `notes` (1 file)"), made
    for line, chosen in (
        ("select dataset notes", "notes"),
        ("select dataset Notes", "Notes"),
        ("select_dataset notes please", "notes"),
    ):
        reply = await console.send(line)
        assert reply["data"]["dataset"] == chosen, (line, reply)


async def test_a_file_whose_name_holds_quotes_is_sent_as_typed(app: Assistant) -> None:
    """`getfile it's "final".txt` answered that there is no `it's final .txt`: the quotes of a
    name typed exactly as the file is called were read as quoting."""
    (app.root.root / 'it\'s "final".txt').write_text("z", encoding="utf-8")
    (app.root.root / "two  spaces.txt").write_text("zz", encoding="utf-8")
    console = TypedConsole(app)
    for line, name in (
        ('getfile it\'s "final".txt', 'it\'s "final".txt'),
        ("getfile two  spaces.txt", "two  spaces.txt"),
    ):
        sent = await console.send(line)
        assert sent["ok"] and sent["data"]["path"] == name, (line, sent)
