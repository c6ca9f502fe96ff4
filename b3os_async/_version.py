"""The installed version of b3os-async (kept in sync with pyproject.toml by a test)."""

__version__ = "0.1.0"
