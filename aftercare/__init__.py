"""Aftercare: a self-hosted after-sales service desk for e-commerce merchants."""
