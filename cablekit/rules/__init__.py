"""Cable rules: checks of what a cable means, over the model."""
