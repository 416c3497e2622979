"""The configuration: clients and sites, people, products and statuses, contracts and services,
links, templates, and all of it as one file (export, plan, apply)."""
