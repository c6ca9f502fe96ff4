"""Event streams (placeholder header; rewritten with the stream core)."""
