"""The one clock: "now" and "today" in the configured time zone (Asia/Shanghai by default).

Every "today" of the product (the demo's last day, risk runs, the map's default range, the
wall's day) comes from here, so that between 00:00 and 08:00 Beijing time nothing takes the
machine's UTC date for today. Instants stored in the database (`now()` in SQL) are absolute
and need no zone; dates do.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from geo.settings import get_settings


def system_now() -> dt.datetime:
    """The machine's clock as an aware UTC time (the one thing tests set)."""
    return dt.datetime.now(dt.UTC)


def now() -> dt.datetime:
    """The current time in the configured zone.

    Example
    -------
    >>> now().tzinfo.key
    'Asia/Shanghai'
    """
    return system_now().astimezone(ZoneInfo(get_settings().timezone))


def today() -> dt.date:
    """Today's date in the configured zone (not the machine's)."""
    return now().date()


def end_of_day(day: dt.date) -> dt.datetime:
    """The instant a day of the configured zone ends (the next day's midnight there): what is
    valid "on" that day is valid at this instant's eve (boundaries as of a date)."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), ZoneInfo(get_settings().timezone))
