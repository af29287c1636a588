"""Unit tests of the AI draft providers."""
