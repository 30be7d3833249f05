"""Sentence templates and the matcher that turns a transcript or typed text into a command."""

from .matcher import Intent, IntentMatcher, normalize, to_request

__all__ = ["Intent", "IntentMatcher", "normalize", "to_request"]
