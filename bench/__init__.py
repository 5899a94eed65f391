"""Benchmarks (`make bench`): measured and reported, never asserted on wall-clock time."""
