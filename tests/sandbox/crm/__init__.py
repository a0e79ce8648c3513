"""Tests of the sandbox's CRM (hubspot_nb/sandbox/crm)."""
