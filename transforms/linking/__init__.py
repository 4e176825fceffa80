"""From an article to tickers, with the evidence for each: the securities master (names over time), ticker
normalisation, Sina's links judged (mention, name collision, index, theme stock), company names and codes
written in the text, boards, and ``linker.link_article``, the single entry point.

May import: the shared ``models``, ``errors``; ``policy`` (scores and themes feed the judgement).
"""
