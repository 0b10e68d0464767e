"""Models of refunds."""
