"""In-memory fakes of the ports (`chalicelib/ports/`, `chalicelib/ports/outside.py`).

Service tests build services with these (no moto, no HTTP): a business rule is checked in
milliseconds. Each fake keeps only what a test can observe through its port.
"""
