"""Requests and decisions: a save of a request or a feed's line, its events, who is alerted and why
not (preview, explain), and the alerts it queues."""
