"""Voice in Discord: receiving members' audio (our interface over voice-recv) and playback."""
