"""Placeholder: replaced by the real inputs package."""
