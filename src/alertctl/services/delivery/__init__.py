"""Delivery: senders that claim due alerts and deliver them, the watcher, the operator's view of
the outbox, and trial messages."""
