"""Exchange with other CTF tools: CTFtime feeds and event archives."""
