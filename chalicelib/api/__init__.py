"""The HTTP edge: one Blueprint per resource, declared through `routing.Router`."""
