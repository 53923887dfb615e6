"""The live feed: one stream listener fanning events out to the WebSockets, masked."""
