"""wiredesk benchmarks (`make bench`); results are written to BENCHMARKS.md by bench.__main__."""
