"""Models of conversations."""
