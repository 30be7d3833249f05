"""Transport-agnostic core of Trainer: commands, datasets, training, storage.

Transports (console, Discord) build a `Request`, call `Assistant.handle`, and render the `Reply`.
"""
