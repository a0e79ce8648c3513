"""CRM objects as DataFrames: contacts, companies, deals, any object, search, associations, owners.

``objects`` (the helpers), ``pull`` (raw record streams: paging, property chunks, two-ended pulls),
``_chains`` (parallel list chains, private), ``filters`` (readable search filters), ``store``
(Parquet streaming and the incremental local copy). May import ``context``, ``frames``, ``http``,
``progress``, ``errors``; never ``hub``, ``marketing`` or ``notebook``.
"""
