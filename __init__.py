"""tocds: a chat bot for Vietnam's village community digital-technology teams."""

__version__ = "0.1.0"
