"""What people tell us: corrections of replies and feedback."""

from __future__ import annotations

import difflib
import re
import time
from typing import TYPE_CHECKING, Any

from .. import i18n
from ..batch import MAX_LABEL_CHARS, SENTENCE_ENDS, normalize_label, typed_label
from ..errors import BadInput, NotFound
from ..i18n import number_text, tr
from ..intents.correction_head import label_first
from ..markup import inert, member_name, quoted, visible
from ..mentions import only_mentions
from ..messages import Reply, Request
from ..permissions import is_admin
from ..storage.records import Dataset, ReplyRecord
from ..typed_arguments import feedback_elsewhere, only_people
from .arguments import option_taken_out
from .option_names import spoken_usage
from .option_values import shown, whole_number
from .quoted_text import CLOSING, QUOTES
from .registry import REGISTRY, Param, command

if TYPE_CHECKING:
    from ..app import Assistant
    from ..storage.store import Store

LISTED_CHARS = 300
"""Longest feedback text shown in the admin listing (ten of them fit one Discord message)."""
LISTED_LINES = 5
"""Most lines of one feedback shown in the listing (300 characters could be 150 short lines)."""
ITEM_FIX = re.compile(r"^\s*#?(\d+)(?:\s*[:=]\s*|\s+)(\S.*)$")
"""`2 negative`, `#2 negative`, `2=negative`, `2: negative`: item 2 is negative."""
REPLY_ID = re.compile(r"#?[0-9]+")
"""How a reply of mine is named: its number (a Discord message id), or `#87` as shown."""
FREE_KINDS = ("transcript",)
"""Replies whose correction is always free text: what I should have heard."""
NEAR_LABEL = 0.8
"""Least similarity (difflib's ratio) of a new label to a known one for it to be taken as a
typo of that one: one letter off in a word of five or more ("negativ", "positve" 0.93), while
a different word ("neutral" against "negative", 0.4) is a new label."""


def _prediction_fixes(record: ReplyRecord, text: str, known: list[str]) -> list[tuple[str, str]]:
    """(original text, corrected label) pairs from `negative` or `2 negative` / `2=negative`,
    with why after a comma or dash (`negative, it is sarcasm`) left out of the label."""
    items = (record.data or {}).get("predictions", [])
    if not items:
        raise NotFound(tr("correct.no_predictions"))
    match = ITEM_FIX.match(text)
    if match:
        # with one prediction too: `5 negative` names an item, it is no label "5 negative"
        number = whole_number(match.group(1)) or 0  # 5,000 digits is a number, just no item
        if not 1 <= number <= len(items):
            number_shown = shown(match.group(1), limit=20)
            raise BadInput(tr("correct.no_item", count=len(items), number=number_shown))
        return [(items[number - 1]["text"], _label(match.group(2), known))]
    if len(items) > 1:
        raise BadInput(tr("correct.which", count=len(items)))
    return [(items[0]["text"], _label(text, known))]


def _label(written: str, known: list[str]) -> str:
    """The label a correction gives: the words as written, or the first of them when a comma
    or dash follows a known label, or one a letter off one (`positive, you were wrong`: the
    words after it say why; stored with them, the label was a new one)."""
    written = _unquoted(written)  # `2 "negative"`: quoted words are the text they hold
    first = label_first(written)
    if first is not None and _known(_as_known(first[0], known), known):
        return _as_known(first[0], known)
    return _as_known(written, known)


def _label_option(text: str, *, lenient: bool = False) -> str:
    """A prediction's correction with its label written as an option (`2 label:negative`,
    `label:negative`) as it is with the label alone, as `train` and `relabel` read it: it was
    stored as the label `label:negative`. `label:` with no label is refused (`lenient`: only
    at the end, as the words may be no correction of a prediction). A note in words does not
    come here."""
    usage = spoken_usage(declared) if (declared := REGISTRY.get("correct")) else "correct"
    return option_taken_out(text, "label", usage, lenient=lenient)


def _unquoted(written: str) -> str:
    """`written` without the quotes around all of it, if it has such quotes."""
    text = written.strip()
    if len(text) > 1 and text[0] in CLOSING and text[-1] == CLOSING[text[0]]:
        return text[1:-1].strip()
    return text


def _as_known(written: str, known: list[str]) -> str:
    """`written` as a label, in the words the prediction's labels are in: the templates read
    "исправь это на позитивный" as `positive`, which a dataset labelled `позитивный` means."""
    lower = {k.lower(): k for k in known}
    # as written first: a label with a stop of its own (`n.a.`) keeps it; then without the
    # stop that ends the sentence (`correct negative.`)
    for label in dict.fromkeys((normalize_label(written), typed_label(written))):
        if label.lower() in lower:
            return label
    said = [lower[w.lower()] for w in sorted(i18n.label_words(label)) if w.lower() in lower]
    return normalize_label(said[0]) if len(said) == 1 else label


def _known(label: str, known: list[str]) -> bool:
    """`label` is one of `known`, or one letter off one (`_check_labels` then names it)."""
    return label in {k.lower() for k in known} or _nearest(label, known) is not None


def _nearest(label: str, known: list[str]) -> str | None:
    """The known label `label` is most likely a typo of, if any."""
    near = difflib.get_close_matches(label, sorted({k.lower() for k in known}), 1, NEAR_LABEL)
    return near[0] if near else None


def prediction_labels(app: Assistant, guild_id: str, record: ReplyRecord) -> list[str]:
    """The labels a prediction reply knows: its model's, then those it predicted."""
    data = record.data or {}
    model = app.store.model(guild_id, str(data.get("model"))) if data.get("model") else None
    found = list(model.labels) if model is not None else []
    found += [str(i.get("prediction")) for i in data.get("predictions", []) if i.get("prediction")]
    return list(dict.fromkeys(found))


def _check_labels(fixes: list[tuple[str, str]], labels: list[str]) -> None:
    """A label one letter off a known one is refused, naming that one: stored, the typo
    would become a label of its own in the next training run. A word far from every label is
    a new label, as it always was (the help names no other way to give one)."""
    known = {label.lower() for label in labels}
    for _original, label in fixes:
        if label not in known and (near := _nearest(label, labels)) is not None:
            raise BadInput(tr("correct.near_label", label=label, near=near))


def _new_labels(fixes: list[tuple[str, str]], known: list[str], name: str) -> str:
    """A line per label the model did not know: it becomes a label of the dataset in its next
    training run, and the README promises that a new label is announced."""
    lower = {label.lower() for label in known}
    new = dict.fromkeys(label for _original, label in fixes if label.lower() not in lower)
    labels = ", ".join(known)
    return "".join("\n" + tr("correct.new_label", label=n, name=name, labels=labels) for n in new)


def _check_note(record: ReplyRecord, text: str) -> None:
    """A correction of a reply that predicted nothing is kept as a note in words (`correct #5 it
    said training twice`). An item number or a lone label (`2 negative`, `2`, `negative`) can
    only be meant for a prediction: saving it would thank the user for a fix that changes
    nothing, so it is refused, saying which replies take labels."""
    if record.kind in FREE_KINDS:
        return
    words = text.split()
    lone_label = len(words) == 1 and len(words[0]) <= MAX_LABEL_CHARS
    if lone_label or ITEM_FIX.match(text):
        raise BadInput(tr("correct.not_prediction"))


@command(
    "correct",
    "Correct one of my replies (a prediction's label, or a transcript).",
    Param("message_id", "str", "Id of my reply (or reply to it instead)"),
    Param("text", "text", "The correction, e.g. `negative`, or `2 negative` for item 2"),
    aliases=("correction", "fix"),
)
async def correct(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    message_id, text = options["message_id"], options["text"]
    if request.reply_to and request.options is None:
        # replying to my message: everything typed is the correction
        message_id, text = request.reply_to, request.text.strip()
    elif request.reply_to and not message_id:
        # a sentence in reply ("correct it to negative") names the label, not the message
        message_id = request.reply_to
    written = message_id or ""
    # up to the reply's number, every path means my last prediction: `label:negative` is read
    # there as `train` and `relabel` read it (a note in words is kept as written, below)
    whole = _label_option(" ".join(w for w in (written, text) if w), lenient=True)
    if whole and not request.reply_to and _thread_of_prediction(app, request, written):
        # `correct negative` in a thread started from my prediction: it is the one meant
        return _fix_last(app, request, whole)
    if not request.reply_to and not REPLY_ID.fullmatch(written):
        said = label_first(whole)
        if said is not None:
            # `correct positive, you were wrong`: a label, then why; my last prediction is meant
            return _fix_last(app, request, said[0])
        words = _label_option(written, lenient=True), text and _label_option(text, lenient=True)
        alone = _label_alone(app, request, *words)
        if alone is not None:
            # "correct that to negative" said or typed, `correct negative`: the label alone
            return _fix_last(app, request, alone)
    message_id = written.lstrip("#")  # replies are shown as [#87]
    objects = i18n.word_list(app.language(request.guild_id), "typed.correct_objects")
    if not text and (not message_id or message_id.lower() in objects) and not request.reply_to:
        _ask_label(app, request)  # "that was wrong", "fix label": the label is asked
    if not message_id or not text:
        raise BadInput(tr("correct.usage"))
    if not REPLY_ID.fullmatch(written):
        # `correct me if I'm wrong, the meeting is at 5`: no reply is named, so none is looked up
        raise BadInput(tr("correct.not_an_id", id=shown(written, limit=20)))
    record = app.store.reply(request.guild_id, message_id)
    if record is None:
        raise NotFound(tr("correct.not_found", id=message_id))
    if record.kind == "prediction":
        known = prediction_labels(app, request.guild_id, record)
        fixes = _prediction_fixes(record, _label_option(text), known)
        return _fixed(app, request, record, fixes, known)
    text = _as_written(text)
    if not text:
        raise BadInput(tr("correct.usage"))
    _check_note(record, text)
    app.store.add_correction(
        **_common(request, message_id), kind=record.kind, original=record.text, correction=text
    )
    return Reply(text=tr("correct.saved"), speech=tr("correct.noted.speech"))


def started_from(store: Store, guild_id: str, channel_id: str) -> ReplyRecord | None:
    """The prediction of mine the thread `channel_id` was started from, if it was: Discord
    gives a thread started from a message that message's id, so a channel whose id is the id
    of a recorded prediction reply is that reply's thread (no other channel has such an id)."""
    record = store.reply(guild_id, channel_id)
    return record if record is not None and record.kind == "prediction" else None


def _thread_of_prediction(app: Assistant, request: Request, written: str) -> bool:
    """The request is made in a thread started from my prediction and names no reply: neither
    `#87` nor a number that is a reply of mine (a bare `2` is then item 2 of the prediction)."""
    if started_from(app.store, request.guild_id, request.channel_id) is None:
        return False
    if not REPLY_ID.fullmatch(written):
        return True
    return not written.startswith("#") and app.store.reply(request.guild_id, written) is None


def _label_alone(app: Assistant, request: Request, written: str, text: str) -> str | None:
    """The one word a correction without a reply's number gives (`correct negative` fills the
    number's place, "correct that to negative" the correction's), unless it names a person
    ("correct me"); else None."""
    alone = ((text or "") if not written else "" if text else written).strip()
    language = app.language(request.guild_id)
    persons = i18n.word_list(language, "typed.correct_persons")
    objects = i18n.word_list(language, "typed.correct_objects")
    if len(alone.split()) != 1 or alone.lower() in (*persons, *objects):
        return None
    return alone


def _ask_label(app: Assistant, request: Request) -> None:
    """Refuse a correction that names no label ("that was wrong", "you misclassified it") by
    asking which label my last prediction here should have, when it predicted one item."""
    record = app.store.latest_reply(request.guild_id, request.channel_id, "prediction")
    record = record or started_from(app.store, request.guild_id, request.channel_id)
    items = (record.data or {}).get("predictions", []) if record is not None else []
    if record is None or len(items) != 1:
        return
    known = prediction_labels(app, request.guild_id, record)
    said = str(items[0].get("prediction", ""))
    other = next((label for label in known if label != said), said)
    raise BadInput(
        tr(
            "correct.label_for_last",
            id=record.message_id,
            label=said,
            text=quoted(str(items[0].get("text", "")), 80),
            other=other,
            labels=", ".join(known),
        )
    )


def _fix_last(app: Assistant, request: Request, written: str) -> Reply:
    """My last prediction in the channel (in a thread started from a prediction of mine, that
    one when none was made in the thread since) is `written`: a label it knows (or one letter
    off one, refused naming it), after an item number when it has several (`2 negative`). A
    word after `correct` that is no label ("correct me, ...") must not become a new label of a
    dataset. The words after a comma are why, and kept nowhere: a prediction's correction
    stores its label only."""
    record = app.store.latest_reply(request.guild_id, request.channel_id, "prediction")
    record = record or started_from(app.store, request.guild_id, request.channel_id)
    if record is None:
        label = written.rstrip(SENTENCE_ENDS) or written  # `correct negative.`: the label
        raise BadInput(tr("correct.no_last", label=shown(label, limit=40)))
    known = prediction_labels(app, request.guild_id, record)
    item = ITEM_FIX.match(written)
    rest = item.group(2) if item else written
    said = label_first(rest)
    label = _as_known(said[0] if said else rest, known)
    if not _known(label, known):
        labels = ", ".join(known)
        raise BadInput(tr("correct.not_a_label", id=record.message_id, label=label, labels=labels))
    count = len((record.data or {}).get("predictions", []))
    if count > 1 and item is None:
        raise BadInput(tr("correct.which_last", id=record.message_id, count=count, label=label))
    fix = f"{item.group(1)} {label}" if item else label
    return _fixed(app, request, record, _prediction_fixes(record, fix, known), known)


def _fixed(
    app: Assistant,
    request: Request,
    record: ReplyRecord,
    fixes: list[tuple[str, str]],
    known: list[str],
) -> Reply:
    """Store the corrections of a prediction reply's items, for its dataset's next training."""
    _check_labels(fixes, known)
    dataset = _dataset_of(app, request.guild_id, record)
    for original, label in fixes:
        app.store.add_correction(
            **_common(request, record.message_id),
            kind="prediction",
            original=original,
            correction=label,
            dataset_id=dataset.id,
        )
    listed = "; ".join(tr("correct.item", text=quoted(o, 80), label=lbl) for o, lbl in fixes)
    return Reply(
        text=tr("correct.noted", name=dataset.name, listed=listed)
        + _new_labels(fixes, known, dataset.name),
        speech=tr("correct.noted.speech"),
        data={"corrections": [{"text": o, "label": lbl} for o, lbl in fixes]},
    )


def _common(request: Request, message_id: str) -> dict[str, Any]:
    """A correction's fields that say who corrected which reply, where."""
    return {
        "guild_id": request.guild_id,
        "channel_id": request.channel_id,
        "message_id": message_id,
        "author_id": request.user.id,
        "author_name": request.user.name,
    }


def _dataset_of(app: Assistant, guild_id: str, record: ReplyRecord) -> Dataset:
    """The dataset whose model made the prediction (older replies: the active dataset)."""
    name = (record.data or {}).get("dataset")
    dataset = app.store.dataset(guild_id, name) if isinstance(name, str) else None
    dataset = dataset or app.store.active_dataset(guild_id)
    if dataset is None:
        raise NotFound(tr("correct.no_dataset"))
    return dataset


@command(
    "feedback",
    "Tell the maintainers what you think (admins: no text lists recent feedback).",
    Param("text", "text", "Your feedback"),
    aliases=("bug", "suggest"),  # "!bug status never updates": a report written as a command
)
async def feedback(app: Assistant, request: Request, options: dict[str, Any]) -> Reply:
    text = options["text"]
    limit = app.config.limits.feedback_chars
    if text and len(text) > limit:
        raise BadInput(
            tr("feedback.too_long", limit=number_text(limit), count=number_text(len(text)))
        )
    if text and not (text := _as_written(text)):
        raise BadInput(tr("feedback.usage"))  # nothing but invisible characters
    if text and (only_people(text) or only_mentions(text)):
        # "feedback everyone", "feedback <@123>": a call to people, no feedback; what is it?
        raise BadInput(tr("feedback.what"))
    if text and any(
        feedback_elsewhere(f"{request.command} {text}", code) for code in i18n.languages()
    ):
        # "feedback for the kitchen staff: the soup was cold" is for someone else
        raise BadInput(tr("feedback.for_someone_else"))
    if text:
        saved = app.store.add_feedback(
            guild_id=request.guild_id,
            channel_id=request.channel_id,
            author_id=request.user.id,
            author_name=request.user.name,
            text=text,
        )
        return Reply(
            text=tr("feedback.saved", id=saved.id),
            speech=tr("feedback.saved.speech"),
            data={"feedback_id": saved.id},
        )
    if not is_admin(request.user, app.config.permissions):
        raise BadInput(tr("feedback.usage"))
    rows = app.store.feedback(request.guild_id, limit=10)
    if not rows:
        return Reply(text=tr("feedback.none"), data={"feedback": []})
    lines = [
        _listed(
            f"#{f.id} {time.strftime('%Y-%m-%d %H:%M', time.localtime(f.created_at))} "
            f"**{member_name(f.author_name)}**:",
            f.text,
        )
        for f in rows
    ]
    return Reply(
        text=f"**{tr('feedback.title')}**\n" + "\n".join(lines),
        speech=tr("feedback.speech", count=len(rows)),
        data={
            "feedback": [
                {"id": f.id, "author": f.author_name, "text": _shorten(f.text, LISTED_CHARS)}
                for f in rows
            ]
        },
    )


def _listed(head: str, text: str) -> str:
    """One feedback in the admins' listing: after its author on the same line, or, written on
    several lines, quoted a line each under the author (a line break must not make its second
    line look like the next entry); at most LISTED_CHARS and LISTED_LINES of it, its backticks
    escaped (`inert`): they paired with the next entry's."""
    lines = inert(_shorten(text, LISTED_CHARS)).split("\n")
    if len(lines) == 1:
        return f"{head} {lines[0]}"
    if len(lines) > LISTED_LINES:
        lines = [*lines[: LISTED_LINES - 1], lines[LISTED_LINES - 1] + " …"]
    return head + "".join(f"\n> {line}".rstrip() for line in lines)


def _as_written(text: str) -> str:
    """Words kept as a person wrote them (feedback, a correction in words), their lines too,
    without invisible characters (a right-to-left override would rearrange the admins'
    listing). Spaces are folded within each line, and blank lines to one between paragraphs
    and none at either end."""
    lines = [visible(" ".join(line.split())) for line in text.splitlines()]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    written = "\n".join(kept).strip("\n")
    # quotes around nothing (`feedback ""`, `«»`) say nothing: they were stored as feedback
    return written if written.strip(QUOTES + " \n") else ""


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
