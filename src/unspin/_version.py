"""The unspin version, importable by every layer without importing the whole package."""

__version__ = "0.1.0"
