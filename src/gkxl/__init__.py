"""gkxl: the annual government-information-disclosure report, as a clean Excel workflow."""

__version__ = "0.1.0"
