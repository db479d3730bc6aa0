"""The evidence engine: pure functions, no Django."""
