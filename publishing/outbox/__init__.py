"""The transactional outbox: enqueueing events, the relay that drains them, local consumers, webhook delivery."""
