"""One module per page: its layout and callbacks together."""
