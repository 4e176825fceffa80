"""Extract: everything that talks to the outside world. Emits raw records; never writes the database."""
