"""gkxl.files: see docs/architecture.md."""
