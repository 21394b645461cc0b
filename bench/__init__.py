"""Benchmarks and load tests: run each as `python -m bench.NAME`; never imported by geo or dashboard."""
