"""The live Sina crawl: a Scrapy project run as its own process (``python -m policywatch.crawlers.sina.run RUN_DIR``).

It lists articles from the roll API and the 7x24 feed, fetches article pages politely and writes raw pages and
listing records to staging files. It never parses meaning and never writes the database.
"""
