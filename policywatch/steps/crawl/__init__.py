"""The crawl step: ``run.run_crawl`` runs both phases; the crawl phase (``fetch``: resume, ``discover`` RSS and
what is known, the Scrapy subprocess in ``jobs``) stages raw pages without writing the database, and the load
phase (``load``, ``parse``, ``records``, ``gaps``) stores them. ``sources`` plans which URLs a run reads,
``rejects`` parses the kept refused pages again, ``results`` holds the summaries.

May import: ``policywatch.crawlers``, ``policywatch.transforms``, ``policywatch.warehouse``, ``policywatch.config``
and the other steps. Kept empty so that ``sources`` and ``results`` import without Scrapy.
"""
