"""The shapes in which services ask storage for things: list filters, claims, totals.

Plain values (no storage library): a service builds them, a repository reads them. One module
per area, so a Lambda loads the shapes of its own storage calls only.
"""
