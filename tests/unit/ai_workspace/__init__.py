"""Unit tests of the AI workspace."""
