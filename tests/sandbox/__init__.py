"""Sandbox (server-side) tests. A package, so their module names cannot collide with tests/test_*.py."""
