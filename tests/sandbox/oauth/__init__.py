"""Tests of the sandbox's OAuth app (hubspot_nb/sandbox/oauth)."""
