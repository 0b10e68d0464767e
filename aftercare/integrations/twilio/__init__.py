"""Twilio: the Messages API for SMS out, its status callbacks, and inbound SMS webhooks."""
