"""The SQLite database backend of Kakehashi (see :mod:`kakehashi.core.sqlite.base`)."""
