"""The relative risk as the map and the wall show it: "12.3 倍" / "12.3×", its interval and its
change, short enough for a list row. The 0–100 score saturates at the top (ten times typical
reads 99.9), so lists rank and compare on the relative risk (README, "Risk scores")."""

from geo.risk.explain import STEADY_PERCENT, relative_change


def multiple(risk: float, lang: str) -> str:
    """The relative risk as a multiple of a typical unit."""
    return f"{risk:.1f} 倍" if lang == "zh" else f"{risk:.1f}×"


def risk_interval(low: float | None, high: float | None, lang: str) -> str:
    """ "8.1–9.7 倍"; empty for a row stored before the interval was kept."""
    if low is None or high is None or low != low or high != high:
        return ""
    return f"{low:.1f}–{high:.1f} 倍" if lang == "zh" else f"{low:.1f}–{high:.1f}×"


def short_change(risk: float, change: float | None) -> tuple[str, str]:
    """(text, direction) of a change of the relative risk for a list row: "▲12%", "▼4%",
    "–" when steady or unknown; "▲+0.4" from an earlier value near zero. Direction is
    "up", "down" or "" (for the colour).

    Example:
        >>> short_change(12.0, 2.0), short_change(3.0, -0.6), short_change(2.0, 0.001), short_change(0.4, 0.35)
        (('▲20%', 'up'), ('▼17%', 'down'), ('–', ''), ('▲+0.3', 'up'))
    """
    if change is None or change != change:
        return "–", ""
    relative = relative_change(risk, change)
    if relative is None:  # from near zero: the change itself
        return (f"▲{change:+.1f}", "up") if change > 0 else ("–", "")
    percent = round(100 * relative)
    if abs(percent) < STEADY_PERCENT:
        return "–", ""
    return (f"▲{percent}%", "up") if percent > 0 else (f"▼{-percent}%", "down")
