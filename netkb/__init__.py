"""netkb: a professional network kept as plain-text files."""

__version__ = "0.1.0"
