"""Alert templates: the shipped defaults and (sandboxed) rendering."""
