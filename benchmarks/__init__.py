"""Benchmark tooling: the synthetic knowledge-base generator (see `benchmarks.generate`) and saved results."""
