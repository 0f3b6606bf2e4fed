"""One module per format: read (and, where it applies, write) a cable."""
