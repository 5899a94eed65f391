"""Repositories: one per aggregate, each access pattern a named method (see db/keys.py)."""
