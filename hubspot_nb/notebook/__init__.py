"""The notebook face: ``login``/``connect``/``logout``, the login widgets, and waiting for a login.

``login`` chooses how to connect (service key, token, cache, widget, prompt, sandbox); ``widget``
and ``key_widget`` are thin ipywidgets shells (on ``_panel.ConnectPanel``) over
``auth.flow.OAuthFlow`` and ``auth.static``; ``kernel_wait`` blocks a cell while widgets keep
working. May import ``hub``, ``auth``, ``http``, ``errors`` and start the ``sandbox``.
"""
