"""Holding alerts to spare their readers, and releasing them (docs/rules.md, "Holding alerts")."""
