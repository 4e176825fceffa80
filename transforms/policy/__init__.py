"""What a policy text says: its numbered measures (sections and items), whether it is a policy or a
standardization document (a score with reasons), and the theme taxonomy with the matcher of its terms.

May import: the shared ``models``, ``errors`` and ``yaml_lines`` only.
"""
