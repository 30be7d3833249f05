"""The store: every record the assistant keeps, in SQL shared by SQLite and PostgreSQL.

The engine is behind a small adapter (database.py); the records are grouped by kind, a module
each: datasets and examples (dataset_records.py), the folders `select_dataset` gives a dataset
(folder_change_records.py), jobs and models (job_records.py), replies, corrections, feedback
and opt-outs (note_records.py), all on one plumbing (base.py).
"""

from __future__ import annotations

from .database import open_database
from .dataset_records import WRITE_CHUNK
from .folder_change_records import FolderChangeRecords
from .job_records import JobRecords
from .note_records import NoteRecords

__all__ = ["WRITE_CHUNK", "Store", "open_store"]


def open_store(url: str, *, copy: bool = False) -> Store:
    """Open the store named by a storage URL (`sqlite:///PATH`, `postgresql://…`); `copy` (a dry
    run): an SQLite file's records in memory, the file left as it is; with PostgreSQL, empty
    records in memory and no connection (`open_database`)."""
    return Store(open_database(url, copy=copy))


class Store(JobRecords, FolderChangeRecords, NoteRecords):
    """Every record the assistant keeps."""
