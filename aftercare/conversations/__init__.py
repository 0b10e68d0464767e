"""Conversations: every channel in one inbox, messages, auto-linking, the customer 360."""
