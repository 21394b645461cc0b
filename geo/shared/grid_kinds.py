"""Grid kinds: regular grids and exclusive grids (专属网格) with the type of place they cover."""

# Exclusive grids cover industrial parks, business districts, schools and hospitals; the
# names are the words clerks use in files (the importer accepts any of them).
EXCLUSIVE_TYPE_NAMES = {
    "industrial_park": ("工业园区", "园区", "industrial_park"),
    "business_district": ("商圈", "商业区", "商务区", "business_district"),
    "school": ("学校", "school"),
    "hospital": ("医院", "hospital"),
}
EXCLUSIVE_TYPES = tuple(EXCLUSIVE_TYPE_NAMES)
