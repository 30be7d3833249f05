"""Speech recognition engines behind one interface."""
