"""Alerts, pure: the watchlist file (channels and rules), whether a linked article meets a rule and why, and the
message a reader gets. Sending is the application's (``policywatch.alerts``).

May import: the shared ``models``, ``errors`` and ``yaml_lines`` only.
"""
