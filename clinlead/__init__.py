"""Clinlead: grow clinical leaders on purpose, and show that it works."""

__version__ = "0.1.0"
