"""gkxl.workbook: see docs/architecture.md."""
