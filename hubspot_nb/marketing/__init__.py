"""Marketing performance as DataFrames: emails and their statistics, email events, campaigns, forms and
submissions, website traffic.

One module per family; each helper takes a ``context.Context``. May import ``crm`` (contacts by
e-mail), ``context``, ``frames``, ``http``, ``progress``, ``errors``; never ``hub`` or ``notebook``.
"""
