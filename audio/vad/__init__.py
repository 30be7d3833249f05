"""Voice activity detection: cuts one speaker's stream into utterances."""
