"""Errors that the command line reports as one clear line instead of a traceback."""


class UserError(Exception):
    """A problem the user can fix (bad option, missing database, invalid input). The message is
    English (the command line's language); `zh`, when given, is the same in Chinese for the
    web pages, whose default language it is."""

    def __init__(self, message: str, zh: str | None = None):
        super().__init__(message)
        self.zh = zh

    def in_language(self, language: str) -> str:
        """The message in `language` ('zh' or 'en'); English where no Chinese was given."""
        return self.zh if language != "en" and self.zh else str(self)
