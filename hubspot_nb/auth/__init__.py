"""Who the client is: the OAuth flow, the token that refreshes itself, the token cache, login settings.

``flow`` (authorize link and pasted answer), ``token`` (expiry, refresh once under a lock),
``endpoints`` (HubSpot's token and account-info calls), ``cache`` (0600 files per app and portal),
``settings`` (arguments > environment > defaults). May import ``http``, ``errors``; nothing above.
"""
