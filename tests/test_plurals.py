"""Counted words in the form the number takes: Russian wrote "3 байт" and "22 байт" ("3 байта",
"22 байта"), since a reply knew only `.one` (the number 1) and the rest. A reply now gives the
forms of its language's CLDR plural categories (`key.one`, `key.few`, `key.many`, Babel's
rules), and a size is written as its own counted reply (`number.bytes`), the form chosen by the
number itself, not by its grouped text ("1 222 байта": the last digits decide)."""

from __future__ import annotations

from assistant import i18n
from assistant.app import Assistant
from audio.speech_text import spoken_text
from tests.consoles import TypedConsole
from tests.test_console_commands import refused_and_unchanged

NUMBERS = (0, 1, 2, 5, 11, 21, 22, 25, 101, 1000)


def test_the_form_is_the_numbers_plural_category_in_the_language() -> None:
    """Russian: 1, 21, 101 take `one`, 2 and 22 `few`, the rest `many` (no `.many` form given:
    the bare key); English: `.one` for 1 only, as before."""
    russian = [i18n.plural_key("ru", "number.bytes", n) for n in NUMBERS]
    one, few, bare = "number.bytes.one", "number.bytes.few", "number.bytes"
    assert russian == [bare, one, few, bare, bare, one, few, bare, one, bare]
    english = [i18n.plural_key("en", "number.bytes", n) for n in NUMBERS]
    assert english == [bare, one, bare, bare, bare, bare, bare, bare, bare, bare]
    written = [i18n.tr_count("number.bytes", n, language="ru") for n in NUMBERS]
    assert written == [
        "0 байт", "1 байт", "2 байта", "5 байт", "11 байт",
        "21 байт", "22 байта", "25 байт", "101 байт", "1\u00a0000 байт",
    ]  # fmt: skip
    written = [i18n.tr_count("number.bytes", n, language="en") for n in NUMBERS]
    assert written == [
        "0 bytes", "1 byte", "2 bytes", "5 bytes", "11 bytes",
        "21 bytes", "22 bytes", "25 bytes", "101 bytes", "1,000 bytes",
    ]  # fmt: skip


def test_a_missing_form_falls_back_to_the_bare_key_of_the_same_language() -> None:
    """`train.added` gives `.one` and no `.few` in Russian: 3 reads the bare key, Russian, not
    another language's form; a key a language leaves out would take English's forms."""
    assert i18n.plural_key("ru", "train.added", 3) == "train.added"
    assert i18n.plural_key("ru", "train.added", 21) == "train.added.one"
    with i18n.speaking("ru"):
        assert i18n.tr_count("train.added", 3, counts="a 3") == "Добавлено примеров: 3 (a 3)."


async def test_getfile_in_russian_writes_the_size_in_its_form(app: Assistant) -> None:
    """ "Вот `report.txt` (3 байт)": 3 and 22 bytes are "байта", 1 and 21 "байт" (one), 5
    "байт" (many); English keeps "1 byte" and "3 bytes"."""
    console = TypedConsole(app)
    for size in (1, 3, 5, 21, 22):
        (app.root.root / f"f{size}.txt").write_bytes(b"x" * size)
    assert (await console.send("getfile f1.txt"))["text"] == "Here is `f1.txt` (1 byte)."
    assert (await console.send("getfile f3.txt"))["text"] == "Here is `f3.txt` (3 bytes)."
    assert (await console.send("language ru"))["ok"]
    said = {size: (await console.send(f"getfile f{size}.txt"))["text"] for size in (1, 3, 5, 21)}
    assert said == {
        1: "Вот `f1.txt` (1 байт).",
        3: "Вот `f3.txt` (3 байта).",
        5: "Вот `f5.txt` (5 байт).",
        21: "Вот `f21.txt` (21 байт).",
    }
    app.config.limits.send_file_bytes = 21
    refused = await refused_and_unchanged(app, console, "getfile f22.txt")
    assert refused == "`f22.txt` занимает 22 байта; я могу отправить не больше 21.", refused


async def test_archive_in_russian_counts_files_and_bytes_each_in_its_form(
    app: Assistant,
) -> None:
    """ "Папка `notes` (файлов: 3) заархивирована ... (422 байт)": the files and the bytes are
    counted each in its own form ("3 файла", the size as `number.bytes` writes it)."""
    (app.root.root / "notes").mkdir()
    for n in range(3):
        (app.root.root / "notes" / f"{n}.txt").write_text("note", encoding="utf-8")
    console = TypedConsole(app)
    assert (await console.send("language ru"))["ok"]
    made = await console.send("archive notes")
    size = made["data"]["bytes"]
    form = i18n.tr_count("number.bytes", size, language="ru")
    assert made["text"].startswith("Папка `notes` (3 файла) заархивирована в `archives/notes-")
    assert made["text"].endswith(f".zip` ({form})."), made


def test_a_size_is_said_rounded_in_the_form_of_the_rounded_number() -> None:
    """Said, a size written "12 833 334 байта" was left as digits (the rounding knew "байт"
    only), and "около 1 мегабайт" is "около 1 мегабайта"."""
    said = spoken_text("`a.txt` занимает 12\u00a0833\u00a0334 байта.", language="ru")
    assert said == "a.txt занимает около 13 мегабайт.", said
    said = spoken_text("`a.txt` занимает 1\u00a0234\u00a0567 байт.", language="ru")
    assert said == "a.txt занимает около 1 мегабайта.", said
    said = spoken_text("`a.txt` занимает 21\u00a0234 байта.", language="ru")
    assert said == "a.txt занимает около 21 килобайта.", said
    said = spoken_text("`a.txt` is 1,234,567 bytes.", language="en")
    assert said == "a.txt is about 1 megabyte.", said


async def test_a_russian_one_form_reads_right_for_21_too(app: Assistant) -> None:
    """Russian's `one` is 1, 21, 101...: "её показывает `examples`" for 21 pages, "пример с такой
    меткой (21)", "она получила метку" were worded for 1 alone. One page is a reply of its own
    (`examples.no_page.single`); the rest are worded for every number of the form."""
    console = TypedConsole(app)
    assert (await console.send("language ru"))["ok"]
    assert (await console.send("create_dataset t1"))["ok"]
    assert (await console.send('train "привет"'))["ok"]
    refused = await refused_and_unchanged(app, console, "examples 2")
    assert refused == (
        "Страницы 2 нет: добавленные примеры **t1** помещаются на одной странице; её показывает"
        " `examples`."
    )
    lines = "\n".join(f"строка {n}" for n in range(410))
    (app.root.root / "many.txt").write_text(lines, encoding="utf-8")
    assert (await console.send("train file:many.txt"))["ok"]
    refused = await refused_and_unchanged(app, console, "examples 30")
    assert refused == (
        "Страницы 30 нет: добавленные примеры **t1** занимают 21 страницу; последнюю показывает"
        " `examples 21`."
    )
    with i18n.speaking("ru"):
        unlabelled = [
            i18n.tr_count("upload.unlabelled", n, name="a.csv", label="x") for n in (1, 3, 21)
        ]
        unknown = [i18n.tr_count("test.unknown_labels", n, model="v1", known="a", labels="b")
                   for n in (21, 22)]  # fmt: skip
        added = [i18n.tr_count("select.added", n) for n in (1, 3, 21)]
    ready = i18n.deferred(
        "job.ready.held_out",
        model="v1",
        accuracy=i18n.percentage(0.9),
        n=i18n.numeral(21),
        count=21,
    )
    assert (
        i18n.render(ready, "ru")
        == "модель v1 готова: доля верных ответов 90\u00a0% на 21 отложенном примере"
    )
    assert added == [
        "И 1 добавленный пример (список — в `examples`).",
        "И 3 добавленных примера (`examples` их покажет).",
        "И 21 добавленный пример (список — в `examples`).",
    ]
    assert unlabelled == [
        "1 строка без метки в `a.csv` получила метку запроса `x`. Если это неверно, укажите"
        " метки в файле.",
        "3 строки без метки в `a.csv` получили метку запроса `x`. Если это неверно, укажите им"
        " метки в файле.",
        "21 строка без метки в `a.csv` получила метку запроса `x`. Если это неверно, укажите"
        " метки в файле.",
    ]
    assert [text.rpartition("поэтому ")[2] for text in unknown] == [
        "21 пример с такой меткой не вошёл в оценку.",
        "22 примера с ними не вошли в оценку.",
    ]


async def test_characters_and_rows_are_counted_in_their_form(app: Assistant) -> None:
    """ "В метке 101 символов", "— 22 символов", "вмещает 22 строк": the count of characters or
    rows next to its noun now takes its form."""
    console = TypedConsole(app)
    assert (await console.send("language ru"))["ok"]
    assert (await console.send("create_dataset t1"))["ok"]
    label = "м" * 101
    refused = await refused_and_unchanged(app, console, f'train "хороший фильм" label:{label}')
    assert refused == "В метке 101 символ; метка может быть не длиннее 100.", refused
    app.config.limits.example_chars = 20
    refused = await refused_and_unchanged(app, console, 'train "' + "с" * 22 + '"')
    assert refused.startswith("В примере из вашего текста — 22 символа; предел — 20."), refused
    rows = "\n".join(f"строка {n},positive" for n in range(21))
    (app.root.root / "open.csv").write_text(
        f'text,label\nхорошо,positive\n"не закрыто,positive\n{rows}\n', encoding="utf-8"
    )
    refused = await refused_and_unchanged(app, console, "train file:open.csv")
    assert "тянется до строки 24 и вмещает 22 строки, похожих" in refused, refused
    app.config.limits.request_chars = 21
    refused = await refused_and_unchanged(app, console, "feedback " + "о" * 13)
    assert refused.startswith("В команде 22 символа; предел — 21."), refused


async def test_a_limit_ending_in_1_reads_right_in_russian(app: Assistant) -> None:
    """ "не больше 21 меток", "до 21 символов": a limit from config.yaml was followed by a noun
    in the form of most numbers; the noun now comes first ("Символов ... не больше 21")."""
    console = TypedConsole(app)
    assert (await console.send("language ru"))["ok"]
    app.config.limits.feedback_chars = 21
    refused = await refused_and_unchanged(app, console, "feedback " + "о" * 22)
    assert refused.startswith("Символов в отзыве может быть не больше 21, а в вашем 22."), refused
    app.config.limits.test_items = 21
    items = ", ".join(f'"текст {n}"' for n in range(22))
    refused = await refused_and_unchanged(app, console, f"test [{items}]")
    assert refused.startswith("Пунктов `test` принимает не больше 21 за раз; здесь 22."), refused
    assert (await console.send("create_dataset t1"))["ok"]
    app.config.limits.upload_examples = 21
    (app.root.root / "many.txt").write_text("\n".join(f"строка {n}" for n in range(22)))
    refused = await refused_and_unchanged(app, console, "train file:many.txt")
    assert refused.startswith("Примеров один запрос может добавить не больше 21;"), refused
    app.config.trainer.sklearn.min_examples = 21
    assert (await console.send('train "хороший фильм"'))["ok"]
    refused = await refused_and_unchanged(app, console, "train")
    assert refused.startswith("Примеров для обучения нужно не меньше 21; в наборе их 1."), refused


async def test_the_spoken_progress_counts_percent_in_its_form(app: Assistant) -> None:
    """ "Идёт обучение, готово 21 процентов" was said of a job 21 % done."""
    console = TypedConsole(app)
    assert (await console.send("language ru"))["ok"]
    job = app.store.create_job(
        guild_id="console",
        channel_id="console",
        dataset="t1",
        backend="sklearn",
        requested_by=None,
        n_examples=10,
    )
    said = []
    for progress in (0.21, 0.22, 0.25):
        app.store.update_job(job.id, status="running", progress=progress)
        said.append((await console.send(f"status {job.id}"))["speech"])
    assert said == [
        "Идёт обучение, готов 21 процент.",
        "Идёт обучение, готово 22 процента.",
        "Идёт обучение, готово 25 процентов.",
    ]
