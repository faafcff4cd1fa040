"""``kakehashi export`` and ``kakehashi import``."""
