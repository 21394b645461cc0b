"""Errors that the command line reports as one clear line instead of a traceback."""


class UserError(Exception):
    """A problem the user can fix (bad option, missing database, invalid input)."""
