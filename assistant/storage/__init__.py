"""Persistent records: datasets, examples, jobs, models, replies, corrections, feedback."""

from .store import Store, open_store

__all__ = ["Store", "open_store"]
