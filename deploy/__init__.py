"""Deployment tooling: the one-machine topology (``python -m deploy.topology``) and its nginx template."""
