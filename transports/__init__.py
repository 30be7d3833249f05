"""Transports: Discord and the local console translate their input into `Request`s."""
