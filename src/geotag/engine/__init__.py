"""The one place that loads spaCy: the model, the streaming pipeline, the worker pool and
the spaCy component. Importing this package does not import spaCy."""
