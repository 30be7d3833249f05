"""Speech synthesis engines behind one interface."""
