"""Transform: pure, typed functions with no I/O (text or bytes in, frozen records out).

Folders by concern, each importing only what its docstring names:

- ``sina/``: Sina's pages of every generation, its roll API and 7x24 feed, RSS items and the archive posts, to
  ``Article`` records (charsets, templates, ids, times, truncation);
- ``linking/``: from an article to tickers with the evidence: the securities master, ticker normalisation,
  Sina's links judged, names and codes in the text, boards and the linker's context;
- ``policy/``: numbered measures, the policy and standardization scores, the theme taxonomy and its matcher;
- ``alerts/``: the watchlist file, whether a linked article meets a rule, and the message;
- ``event_study/``: the event-study engine (numpy and SciPy).

Shared by all of them, at this level: ``models`` (the records), ``errors`` (the exception tree),
``trading_calendar`` (exchange sessions and day 0) and ``yaml_lines`` (YAML with line numbers).
Nothing here imports ``crawlers``, ``warehouse`` or the application.
"""
