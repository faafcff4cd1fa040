"""Kakehashi (架け橋): a bilingual platform for UK–Japan cyber cooperation."""

__version__ = "0.1.0"
