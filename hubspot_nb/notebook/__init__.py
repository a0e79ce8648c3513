"""The notebook face: ``login``/``connect``/``logout``, the login widget, and waiting for a login.

``login`` chooses how to connect (service key, token, cache, widget, prompt, sandbox); ``widget``
is a thin ipywidgets shell over ``auth.flow.OAuthFlow``; ``kernel_wait`` blocks a cell while widgets
keep working. May import ``hub``, ``auth``, ``http``, ``errors`` and start the ``sandbox``.
"""
