"""Helpers for bench/bench_kb.py (BM25 baseline, public data, scale tests)."""
