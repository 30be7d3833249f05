"""The Discord transport: text, slash and voice commands (`run_discord` is the entry point)."""
