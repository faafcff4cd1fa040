"""The route × role access matrix and the leak suite (issue 7: reliability and security)."""
