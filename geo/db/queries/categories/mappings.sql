-- The texts a city mapped to a category (`python -m geo categories map`), by the text in lower case.
SELECT raw_key, category_code FROM category_mapping
