"""Parsing the page filter from URL text: whatever arrives, a valid filter and a list of what
was ignored."""

import datetime as dt

from geo.map.filters import DEFAULT_DAYS, MAX_RANGE_DAYS, CaseFilter, filter_values, parse_filter

END = dt.date(2026, 11, 24)
CATEGORIES = {"dispute_neighbour", "hazard_fire"}


def test_no_values_give_the_last_30_days_and_everything():
    parsed = parse_filter({}, CATEGORIES, END)
    assert parsed.filter == CaseFilter(END - dt.timedelta(days=DEFAULT_DAYS - 1), END)
    assert parsed.ignored == []


def test_known_codes_are_kept_sorted_once_and_unknown_ones_reported():
    parsed = parse_filter(
        {"cat": "hazard_fire,dispute_neighbour,hazard_fire,<script>", "src": "police_110,x", "st": "overdue"},
        CATEGORIES,
        END,
    )
    assert parsed.filter.categories == ("dispute_neighbour", "hazard_fire")
    assert parsed.filter.sources == ("police_110",)
    assert parsed.filter.states == ("overdue",)
    assert parsed.ignored == ["cat: unknown code '<script>'", "src: unknown code 'x'"]


def test_bad_dates_fall_back_and_reversed_or_huge_ranges_are_mended():
    parsed = parse_filter({"from": "yesterday", "to": "2026-13-40"}, CATEGORIES, END)
    assert parsed.filter.end == END and len(parsed.ignored) == 2
    reversed_range = parse_filter({"from": "2026-11-20", "to": "2026-11-01"}, CATEGORIES, END).filter
    assert (reversed_range.start, reversed_range.end) == (dt.date(2026, 11, 1), dt.date(2026, 11, 20))
    huge = parse_filter({"from": "1900-01-01", "to": "2026-11-24"}, CATEGORIES, END)
    assert (huge.filter.end - huge.filter.start).days == MAX_RANGE_DAYS and huge.ignored


def test_a_filter_survives_a_round_trip_through_its_url_values():
    original = CaseFilter(dt.date(2026, 10, 1), dt.date(2026, 11, 1), ("hazard_fire",), (), ("open", "overdue"))
    assert parse_filter(filter_values(original, END), CATEGORIES, END).filter == original
    assert filter_values(parse_filter({}, CATEGORIES, END).filter, END) == {}


def test_params_end_the_day_after_the_last_and_use_weeks_for_long_ranges():
    params = CaseFilter(dt.date(2026, 1, 1), dt.date(2026, 11, 24)).params(END)
    assert params["end"] == dt.date(2026, 11, 25) and params["bucket"] == "week"
    assert params["categories"] is None
    assert CaseFilter(dt.date(2026, 11, 1), END).params(END)["bucket"] == "day"
