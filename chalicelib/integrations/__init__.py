"""Adapters to outside services, each behind a Protocol in `ports.py`."""
