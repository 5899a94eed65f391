"""Ports: what the services need from storage and from outside systems, as Protocols.

Services depend on these only; `db/` and `integrations/` implement them, the composition root
(`bootstrap.py`) wires the implementations in, and `tests/fakes/` holds in-memory ones.
"""
