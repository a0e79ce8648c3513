"""Tests of the sandbox's marketing (hubspot_nb/sandbox/marketing)."""
