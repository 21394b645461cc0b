"""The Dash app. Asks `geo` for data and holds no SQL."""
