"""The city's case category catalogue: listing it, the texts it did not know, and mapping them."""
