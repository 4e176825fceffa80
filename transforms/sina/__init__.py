"""Sina's formats to records: article pages of every template generation, archive posts (Hexo), RSS items, the
roll API and the 7x24 feed; with the charset, id, time and truncation rules they need.

May import: the shared ``models``, ``errors``; ``linking.tickers`` and ``linking.text_codes`` (a page's stock
links and written codes are read while parsing) and ``policy.measures`` (the numbered measures).
"""
