"""Talking to HubSpot: one HTTP client (Bearer auth, retries, paging), its rate limiters, every path.

``client`` returns plain dicts and iterators, never DataFrames; ``ratelimit`` keeps a pull under
HubSpot's limits; ``urls`` names every endpoint path and the default hosts, once.
May import ``errors`` only.
"""
