"""alertctl: support alerts on engagement contracts."""

__version__ = "0.1.0"
