"""A local replay of Sina Finance built from a folder of archive posts: the roll API, article pages (modern
UTF-8 and old GBK templates), the 7x24 feed, an RSS feed and robots.txt, with optional seeded faults.

Start it in-process with ``policywatch.crawlers.replay.server.start_replay`` or from the shell with
``policywatch replay serve``.
"""
