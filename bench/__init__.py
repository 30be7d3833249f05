"""Benchmarks: each module runs on its own and writes bench/results/<name>.json and .md."""
