"""gkxl.rollup: see docs/architecture.md."""
