"""What a `source` argument names: a text, a file or a folder of the data root.

The rule, the same however the command arrives (typed, slash option, spoken slot):
- quoted (`"this movie was 10/10"`) is always text;
- `file:PATH` / `folder:PATH` is always that file or folder of the data folder (and so are
  the words of the server's language for them, `файл:PATH` / `папка:PATH`: `marks`);
- one unquoted word that names an existing file or folder in the data folder is that file or
  folder (the reply says so, and how to add it as text instead);
- unquoted words that begin as JSON does (`{"text": "dull", "label": "negative"}`, `[{...`,
  `["...`) are JSON: examples as a `.jsonl`'s lines or a list of them; written wrong, they are
  refused showing where, never stored as a text of braces;
- anything else is text, whatever it contains (`rated 10/10, a must see`); unquoted, each of
  its lines is an example (a typed message of several lines, like a `.txt`'s).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .. import i18n
from ..errors import BadInput, NotFound
from ..i18n import tr
from ..sandbox import DataRoot
from .polite import strip_polite
from .quoted_text import BETWEEN_QUOTED, QUOTES, Token, tokenize

FILE_PREFIX, FOLDER_PREFIX = "file:", "folder:"
"""How the code writes a file or folder it names (English's words, read in every language)."""
PathKind = Literal["file", "folder"]
Marked = Literal["file", "folder", "dataset"]


def marks(kind: Marked) -> list[str]:
    """The words that mark a name as a file or a folder of the data folder (or, for `test`,
    a dataset), in the language spoken (`typed.file_marks`: `файл:` in Russian), English's
    in every language too."""
    key = f"typed.{kind}_marks"
    spoken = i18n.word_list(i18n.current(), key)
    return list(dict.fromkeys([*spoken, *i18n.word_list(i18n.ENGLISH, key)]))


@dataclass(frozen=True)
class Target:
    kind: Literal["text", "json", "file", "folder"]
    value: str
    """The text itself, or the path as the user wrote it."""
    path: Path | None = None
    """The resolved path inside the data root (files and folders)."""
    note: str = ""
    """Why a bare name was taken for a path, said in the reply so the choice is never silent."""
    quoted: bool = False
    """A text given in quotes: one example, whatever lines it has."""

    def lines(self) -> list[str]:
        """The examples a text gives: a quoted one is one example; unquoted, each line is one,
        as a `.txt` file's lines are (a message of several lines is a list)."""
        if self.quoted:
            return [self.value]
        return [line for line in self.value.splitlines() if line.strip()] or [self.value]


def _unquote(raw: str) -> str:
    tokens = tokenize(raw)
    return tokens[0].value if len(tokens) == 1 and tokens[0].quoted else raw


def prefixed(raw: str, kind: Marked) -> str | None:
    """The name after a word that marks it as a file or a folder (`file:`, `folder:`, or the
    language's own: `marks`), its quotes taken off (`file:"my notes.txt"`), or None when
    `raw` does not start with one."""
    text = raw.strip()
    for mark in marks(kind):
        if text.lower().startswith(mark):
            return _unquote(text[len(mark) :].strip())
    return None


def whole_line_path(
    raw: str, root: DataRoot, command: str, kind: PathKind, *, typed: bool = True
) -> tuple[str, str]:
    """The path a command's whole line names (`getfile`, `archive`), and a note when it was
    found by taking unquoted words together. One word, one quoted group or the mark of its
    `kind` and a name (`file:NAME`, `folder:NAME`, as `train` takes them) is the name;
    several unquoted words that together name something in the data root (`my report.txt`)
    are that name, and the note gives the quoted form to type, for a `typed` line only (a
    slash option or a spoken name is one value already, with no quotes to add); else the
    line as typed, when that names something (`it's "final".txt`: its quotes are part of the
    name)."""
    text = strip_polite(raw) or raw  # `getfile notes.txt please`
    others: list[PathKind] = ["file", "folder"]
    for marked in dict.fromkeys([kind, *others]):
        # the other kind's mark too (`getfile folder:reviews`): the command then says what
        # the name is ("is a folder, not a file") instead of that nothing is called so
        if (name := prefixed(text, marked)) is not None:
            return name, ""
    tokens = _safe_tokens(text)
    if len(tokens) == 1:
        return tokens[0].value, ""
    joined = " ".join(t.value for t in tokens)
    if tokens and not any(t.quoted for t in tokens) and _existing(root, joined) is not None:
        return joined, tr("target.words_as_name", name=joined, command=command) if typed else ""
    if _existing(root, raw.strip()) is not None:
        return raw.strip(), ""  # a name holding quotes or two spaces, typed as it is
    if not tokens:
        tokenize(text)  # an unbalanced quote: refused, saying so
    head = _leading_name(root, tokens)
    if head is not None:
        rest = text[tokens[head[1]].start :].strip()
        return head[0], tr("target.name_then_words", name=head[0], rest=rest) if typed else ""
    return joined, ""  # refused as a name the data root does not have


_AFTER_NAME = ",.;:!?"
"""Marks a name may be followed by before the words that are not part of it."""


def _leading_name(root: DataRoot, tokens: list[Token]) -> tuple[str, int] | None:
    """The longest run of the first unquoted words that names something in the data root,
    and the index of the first word after it: "report.txt, I need it for the slides" and
    "report.txt thx" name `report.txt`, the rest is what was said with it."""
    for end in range(len(tokens) - 1, 0, -1):
        words = tokens[:end]
        if any(t.quoted for t in words):
            continue
        name = " ".join(t.value for t in words).rstrip(_AFTER_NAME)
        if name and _existing(root, name) is not None:
            return name, end
    return None


def resolve(raw: str, root: DataRoot) -> Target:
    text = raw.strip()
    if not text:
        raise BadInput(tr("target.empty"))
    if (name := prefixed(text, "file")) is not None:
        return Target("file", name, root.file(name))
    if (name := prefixed(text, "folder")) is not None:
        return Target("folder", name, root.folder(name))
    tokens = _safe_tokens(text)
    if len(tokens) == 1 and tokens[0].quoted:
        if not tokens[0].value.strip():
            raise BadInput(tr("target.empty"))  # `train ""` would otherwise just retrain
        return Target("text", tokens[0].value, quoted=True)
    listed = [t for t in tokens if t.quoted or t.value not in BETWEEN_QUOTED]
    if len(listed) > 1 and all(t.quoted for t in listed):
        # `"great film" "dull"`, `'great', 'fun'`: one example each, as a JSON list of them
        # would be (read as one text it would keep the quotes; refused, it made people retype)
        if not all(t.value.strip() for t in listed):
            raise BadInput(tr("target.empty"))
        return Target("json", json.dumps([t.value for t in listed], ensure_ascii=False))
    if _looks_like_json(text):
        return Target("json", text)
    if len(tokens) == 1 and text[0] not in QUOTES:
        path = _existing(root, text)
        if path is not None:
            kind: Literal["file", "folder"] = "folder" if path.is_dir() else "file"
            note = tr(f"target.{kind}_note", text=text)
            return Target(kind, text, path, note)
    return Target("text", text)


def _looks_like_json(text: str) -> bool:
    """Words that begin as a JSON object or a list of strings or objects do ("[spoiler] a
    great film" is a text): nobody writes a review that opens with a brace."""
    if text.startswith("{"):
        return True
    inner = text[1:].lstrip()
    return text.startswith("[") and (not inner or inner[0] in '{"]' or text.endswith("]"))


def _safe_tokens(text: str) -> list[Token]:
    try:
        return tokenize(text)
    except BadInput:
        return []  # an unbalanced quote inside free text is just a character of the text


def _existing(root: DataRoot, name: str) -> Path | None:
    """The path if `name` names something inside the data root; None if it names nothing
    there (then it is text). A name that would leave the root is refused, not taken as text,
    so a typo such as `../x` never becomes a training example by accident. A word longer than
    any file name can be is text too."""
    if any(len(part.encode("utf-8", "surrogatepass")) > root.name_max for part in name.split("/")):
        return None
    try:
        return root.resolve(name)
    except NotFound:
        return None
