"""Notifications: templates, deliveries, providers, outgoing webhooks, surveys."""
