"""The event study as steps: ``events`` builds events from article_tickers on the exchange calendar, ``panel``
reads prices into the engine's panel, ``run`` runs a study on the warehouse and stores it, ``files`` runs one on
a user's own price and event files.

May import: ``policywatch.transforms`` (the engine), ``policywatch.warehouse``, ``policywatch.crawlers.prices``,
``policywatch.config`` and ``policywatch.steps.prices``.
"""
