"""Public host resolution: the cached /resolve/ answer and the materialized views it reads."""
