"""Server-rendered pages of the exercises: ``participant`` (events, teams, board, challenge,
scoreboard) and ``organiser`` (dashboard, editor, settings, participants, log; judges' view)."""
