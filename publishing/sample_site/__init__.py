"""The sample booking site drawn from a bundle: the page itself and its well-known messages."""
