"""Transports translate between people and the assistant: the local console and Discord."""
