"""Importing the files a city already has: read, check row by row, write in one transaction."""
