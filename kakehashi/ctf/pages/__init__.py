"""Server-rendered pages of the exercises: ``participant`` and ``organiser``."""
