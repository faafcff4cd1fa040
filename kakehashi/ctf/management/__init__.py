"""Management commands of the exercise app."""
