"""HubSpot's JSON → typed pandas columns and frames, with no HTTP: one typing pipeline, one assembler.

The property catalogue, the converters (number, datetime, date, bool, enumeration, lists), raw
columns read off pages, and the assembler that joins typed chunks into one frame. The Arrow and
memory fast paths are fenced in ``_fast`` (``HUBSPOT_NB_FAST=0`` turns them off).
May import ``errors``; never ``http``, ``auth`` or anything above.
"""
