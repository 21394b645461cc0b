"""Twelve months of cases with planted hotspots, rhythm, closed-loop status and messy addresses.

The true expected count per basic grid is kept (demo_truth.grid_intensity) so that risk
scores can later be validated against what was planted.
"""

import datetime as dt

import numpy as np
import pandas as pd
import shapely

from data.demo.clerk import clerk_address

CATEGORY_MIX = {
    "dispute_neighbour": 0.15,
    "dispute_marriage_family": 0.10,
    "dispute_property": 0.08,
    "dispute_labour_wages": 0.07,
    "dispute_consumer": 0.06,
    "dispute_land": 0.05,
    "dispute_traffic": 0.04,
    "hazard_fire": 0.09,
    "hazard_building": 0.06,
    "hazard_production": 0.05,
    "public_order": 0.10,
    "service_request": 0.15,
}
DEADLINE_DAYS = {
    "dispute_marriage_family": 15,
    "dispute_neighbour": 7,
    "dispute_land": 30,
    "dispute_labour_wages": 15,
    "dispute_property": 15,
    "dispute_consumer": 7,
    "dispute_traffic": 10,
    "hazard_fire": 3,
    "hazard_building": 5,
    "hazard_production": 5,
    "public_order": 7,
    "service_request": 10,
}  # mirrors case_category in 0005_cases.sql
SOURCE_MIX = {"grid_worker": 0.45, "hotline_12345": 0.33, "police_110": 0.10, "walk_in": 0.06, "online": 0.06}
# How each source reports a location: share of (WGS84 point, GCJ-02 point, address only).
LOCATION_FORM = {
    "grid_worker": (0.75, 0.20, 0.05),
    "hotline_12345": (0.0, 0.15, 0.85),
    "police_110": (0.90, 0.0, 0.10),
    "walk_in": (0.0, 0.0, 1.0),
    "online": (0.0, 0.5, 0.5),
}
HOURLY = np.array([1, 0.5, 0.3, 0.3, 0.3, 0.5, 1.5, 3, 6, 8, 8, 7, 5, 5, 7, 8, 7, 6, 5, 5, 4, 3, 2, 1.5])
SUMMARIES = {
    "dispute_neighbour": ["邻里噪音纠纷", "楼道堆放杂物引发纠纷", "漏水引发邻里矛盾", "宠物扰民"],
    "dispute_marriage_family": ["家庭矛盾调解", "赡养老人纠纷", "婚姻家庭纠纷"],
    "dispute_property": ["物业费纠纷", "房屋租赁纠纷", "小区停车位纠纷"],
    "dispute_labour_wages": ["拖欠农民工工资", "劳动合同纠纷", "工伤赔偿纠纷"],
    "dispute_consumer": ["预付卡退费纠纷", "商品质量纠纷"],
    "dispute_land": ["宅基地界址纠纷", "土地承包纠纷", "耕地边界纠纷"],
    "dispute_traffic": ["交通事故赔偿纠纷", "车辆剐蹭纠纷"],
    "hazard_fire": ["电动车楼道充电", "消防通道堵塞", "私拉电线"],
    "hazard_building": ["外墙脱落隐患", "危房安全隐患", "违章搭建"],
    "hazard_production": ["小作坊安全生产隐患", "燃气使用隐患", "危化品存放不规范"],
    "public_order": ["夜间聚集滋扰", "酒后滋事", "可疑人员出没"],
    "service_request": ["路灯损坏报修", "垃圾清运不及时", "下水道堵塞"],
}
STUCK_SHARE = 0.02  # cases that stall and run past their deadline
# The loop's open states in order (migration 0033); a case stands in one by its progress.
OPEN_STEPS = ("accepted", "dispatched", "in_progress", "feedback", "verified")
RETURNED_SHARE = 0.04  # of the dispatched and in-hand cases, sent back to the dispatcher
SATISFIED_SHARE = 0.93  # of call-backs (published figures: > 90 %)
MEDIATION_OUTCOMES = {"success": 0.92, "failed": 0.04, "litigation": 0.02, "petition": 0.02}
# The department a category goes to when not to the grid (case_handler codes, migration 0033).
DEPARTMENT_OF = {
    "hazard_fire": "fire", "hazard_building": "housing", "hazard_production": "emergency",
    "public_order": "police", "dispute_land": "natural_res", "dispute_labour_wages": "labour",
    "dispute_property": "housing", "dispute_consumer": "market", "service_request": "urban_admin",
}  # fmt: skip
UNMATCHABLE_SHARE = 0.02  # addresses that no gazetteer can resolve


def plant_hotspots(buildings: pd.DataFrame, count: int, rng) -> pd.DataFrame:
    """Hotspot centres at buildings, with a radius, an uplift and sometimes a category."""
    weight = buildings["households"].to_numpy() + 1.0
    chosen = rng.choice(len(buildings), size=count, replace=False, p=weight / weight.sum())
    centres = shapely.get_coordinates(shapely.centroid(buildings["footprint"].to_numpy()[chosen]))
    categories = np.array(
        ["public_order", "dispute_neighbour", "hazard_fire", "dispute_property", "dispute_labour_wages", None],
        dtype=object,
    )
    return pd.DataFrame(
        {
            "x": centres[:, 0],
            "y": centres[:, 1],
            "radius_m": rng.uniform(300, 1500, count),
            "log_uplift": rng.uniform(0.7, 1.8, count),
            "category": categories[rng.integers(0, len(categories), count)],
        }
    )


def grid_intensity(grids: pd.DataFrame, hotspots: pd.DataFrame, total: int, rng) -> pd.DataFrame:
    """Expected cases per year of each basic grid: households x hotspot uplift x noise."""
    basic = grids[grids["is_basic"]].reset_index(drop=True)
    xy = shapely.get_coordinates(shapely.centroid(basic["geom"].to_numpy()))
    activity = np.where(basic["kind"] == "exclusive", 150.0, basic["households"].to_numpy() + 20.0)
    log_rate = np.log(activity) + _uplift(xy, hotspots).sum(axis=1) + rng.normal(0, 0.25, len(basic))
    rate = np.exp(log_rate)
    rate *= total / rate.sum()
    households = basic["households"].replace(0, np.nan)
    return pd.DataFrame({"grid_code": basic["code"], "cases_per_year": rate, "cases_per_household": rate / households})


def _uplift(xy: np.ndarray, hotspots: pd.DataFrame) -> np.ndarray:
    """(points, hotspots) log uplift of each hotspot at each point (Gaussian falloff)."""
    dx = xy[:, None, 0] - hotspots["x"].to_numpy()[None, :]
    dy = xy[:, None, 1] - hotspots["y"].to_numpy()[None, :]
    distance2 = (dx**2 + dy**2) / hotspots["radius_m"].to_numpy()[None, :] ** 2
    return hotspots["log_uplift"].to_numpy()[None, :] * np.exp(-distance2)


def generate_cases(intensity, grids, buildings, hotspots, as_of: dt.date, rng) -> pd.DataFrame:
    """One row per case with metric true location, building, category, times and status."""
    counts = rng.poisson(intensity["cases_per_year"].to_numpy())
    grid_of_case = np.repeat(intensity["grid_code"].to_numpy(), counts)
    cases = pd.DataFrame({"grid_code": grid_of_case})
    cases["building"] = _pick_buildings(grid_of_case, buildings, rng)
    _locate(cases, buildings, grids, rng)
    cases["category_code"] = _categories(cases, hotspots, grids, rng)
    cases["source"] = rng.choice(list(SOURCE_MIX), size=len(cases), p=list(SOURCE_MIX.values()))
    cases["reported_at"] = _report_times(len(cases), as_of, rng)
    cases = cases.sort_values("reported_at", kind="stable").reset_index(drop=True)
    _closed_loop(cases, as_of, rng)
    _location_form(cases, rng)
    _address_text(cases, buildings, rng)
    cases["summary"] = [SUMMARIES[c][int(rng.integers(len(SUMMARIES[c])))] for c in cases["category_code"]]
    cases["escalation_level"] = _escalation(cases, rng)
    return cases


def _pick_buildings(grid_of_case: np.ndarray, buildings: pd.DataFrame, rng) -> np.ndarray:
    """A building of the case's grid, more likely where more households live."""
    weight = buildings["households"].to_numpy() + np.where(buildings["households"] == 0, 30.0, 2.0)
    order = np.argsort(buildings["grid_code"].to_numpy(), kind="stable")
    codes = buildings["grid_code"].to_numpy()[order]
    starts = np.searchsorted(codes, grid_of_case, side="left")
    ends = np.searchsorted(codes, grid_of_case, side="right")
    picked = np.empty(len(grid_of_case), dtype=int)
    for i, (start, end) in enumerate(zip(starts, ends)):
        members = order[start:end]
        w = weight[members]
        picked[i] = members[np.searchsorted(np.cumsum(w), rng.random() * w.sum())]
    return picked


def _locate(cases: pd.DataFrame, buildings: pd.DataFrame, grids: pd.DataFrame, rng) -> None:
    """Most cases happen at a building; some outdoors nearby, still inside the same grid."""
    centre = shapely.get_coordinates(shapely.centroid(buildings["footprint"].to_numpy()[cases["building"].to_numpy()]))
    outdoors = rng.random(len(cases)) < 0.15
    moved = centre + rng.normal(0, 20, centre.shape)
    grid_geom = grids.set_index("code")["geom"]
    inside = shapely.contains_xy(grid_geom[cases["grid_code"]].to_numpy(), moved[:, 0], moved[:, 1])
    use_moved = outdoors & inside
    cases["x"] = np.where(use_moved, moved[:, 0], centre[:, 0])
    cases["y"] = np.where(use_moved, moved[:, 1], centre[:, 1])
    cases["at_building"] = ~use_moved


def _categories(cases, hotspots, grids, rng) -> np.ndarray:
    """The base mix, tilted towards a nearby hotspot's category; land disputes are rural."""
    names = list(CATEGORY_MIX)
    base = np.tile(np.array(list(CATEGORY_MIX.values())), (len(cases), 1))
    rural = ~cases["grid_code"].map(grids.set_index("code")["is_urban"]).to_numpy(dtype=bool)
    base[rural, names.index("dispute_land")] *= 4
    base[~rural, names.index("dispute_property")] *= 1.5
    uplift = _uplift(cases[["x", "y"]].to_numpy(), hotspots)
    for h, category in enumerate(hotspots["category"]):
        if isinstance(category, str):
            base[:, names.index(category)] += 0.4 * (1 - np.exp(-uplift[:, h]))
    cumulative = np.cumsum(base / base.sum(axis=1, keepdims=True), axis=1)
    picks = (rng.random(len(cases))[:, None] > cumulative).sum(axis=1)
    return np.array(names)[np.minimum(picks, len(names) - 1)]


def _report_times(count: int, as_of: dt.date, rng) -> pd.Series:
    """Days weighted by a summer peak and busier weekdays; hours by a daytime profile."""
    start = as_of - dt.timedelta(days=364)
    days = pd.date_range(start, as_of, freq="D")
    season = 1 + 0.25 * np.cos(2 * np.pi * (days.dayofyear.to_numpy() - 200) / 365)
    weekday = np.where(days.dayofweek.to_numpy() >= 5, 0.8, 1.05)
    weight = season * weekday
    day = rng.choice(len(days), size=count, p=weight / weight.sum())
    hour = rng.choice(24, size=count, p=HOURLY / HOURLY.sum())
    seconds = rng.integers(0, 3600, count)
    local = days[day] + pd.to_timedelta(hour, unit="h") + pd.to_timedelta(seconds, unit="s")
    return pd.Series(local.tz_localize("Asia/Shanghai"))


def _closed_loop(cases: pd.DataFrame, as_of: dt.date, rng) -> None:
    """Status along 受理 → … → 结案 as of the end of `as_of`; some stall past their deadline."""
    now = pd.Timestamp(as_of, tz="Asia/Shanghai") + pd.Timedelta(hours=23, minutes=59)
    deadline_days = cases["category_code"].map(DEADLINE_DAYS).to_numpy()
    cases["deadline"] = cases["reported_at"] + pd.to_timedelta(deadline_days, unit="D")
    duration_days = rng.lognormal(np.log(0.35 * deadline_days), 0.7)
    stuck = rng.random(len(cases)) < STUCK_SHARE
    duration_days[stuck] *= rng.uniform(4, 20, stuck.sum())
    closing = cases["reported_at"] + pd.to_timedelta(duration_days * 86400, unit="s")
    closed = (closing <= now).to_numpy()
    cases["closed_at"] = closing.where(closed)
    progress = ((now - cases["reported_at"]).dt.total_seconds() / (duration_days * 86400)).to_numpy()
    step = np.clip((progress * len(OPEN_STEPS)).astype(int), 0, len(OPEN_STEPS) - 1)
    cases["status"] = np.where(closed, "closed", np.array(OPEN_STEPS)[step])
    step_started = cases["reported_at"] + pd.to_timedelta(step / len(OPEN_STEPS) * duration_days * 86400, unit="s")
    cases["state_since"] = closing.where(closed, step_started)
    _loop_details(cases, now)


def _loop_details(cases: pd.DataFrame, now: pd.Timestamp) -> None:
    """Who handles each dispatched case, disputes' mediation outcomes, call-backs after
    closing and a few cases returned to the dispatcher. From a generator of their own (seeded
    by the cases), so that the demo's other draws stay as they were before the loop."""
    rng = np.random.default_rng([len(cases), int(now.timestamp())])
    handled = (cases["status"] != "accepted").to_numpy()
    to_grid = rng.random(len(cases)) < 0.7
    department = cases["category_code"].map(DEPARTMENT_OF).fillna("people_med").to_numpy()
    cases["assignee_kind"] = np.where(
        ~handled,
        None,
        np.where(
            to_grid, "grid", np.where(np.char.startswith(department.astype(str), "people_"), "mediation", "department")
        ),
    )
    cases["assignee"] = np.where(~handled, None, np.where(to_grid, cases["grid_code"], department))
    returned = np.isin(cases["status"], ["dispatched", "in_progress"]) & (rng.random(len(cases)) < RETURNED_SHARE)
    cases.loc[returned, "status"] = "returned"
    reported_back = np.isin(cases["status"], ["feedback", "verified", "closed"])
    dispute = cases["category_code"].str.startswith("dispute_").to_numpy()
    outcome = rng.choice(list(MEDIATION_OUTCOMES), size=len(cases), p=list(MEDIATION_OUTCOMES.values()))
    cases["mediation_outcome"] = np.where(reported_back & dispute, outcome, None)
    called = cases["closed_at"] + pd.to_timedelta(rng.uniform(0.5, 3.0, len(cases)) * 86400, unit="s")
    called = called.where(called <= now)
    cases["called_back_at"] = called
    cases["satisfied"] = pd.array(
        np.where(called.notna(), rng.random(len(cases)) < SATISFIED_SHARE, None), dtype="boolean"
    )


def _location_form(cases: pd.DataFrame, rng) -> None:
    """Whether the report carries a WGS84 point, a GCJ-02 point (phone map apps) or only text."""
    form = np.empty(len(cases), dtype=object)
    for source, shares in LOCATION_FORM.items():
        mask = (cases["source"] == source).to_numpy()
        form[mask] = rng.choice(["wgs84", "gcj02", "address"], size=mask.sum(), p=shares)
    cases["location_form"] = form


def _address_text(cases: pd.DataFrame, buildings: pd.DataFrame, rng) -> None:
    """The address as a clerk typed it: variants of the standard address, 2 % unresolvable."""
    standard = buildings["standard_address"].to_numpy()[cases["building"].to_numpy()]
    unmatchable = rng.random(len(cases)) < UNMATCHABLE_SHARE
    texts, variants = zip(*(clerk_address(address, lost, rng) for address, lost in zip(standard, unmatchable)))
    cases["address_text"] = texts
    cases["address_variant"] = variants
    cases["address_matchable"] = ~unmatchable


def _escalation(cases: pd.DataFrame, rng) -> np.ndarray:
    """Most cases stay in the grid; land and wage disputes climb more often."""
    levels = np.array(["grid", "community", "township", "county_city"])
    heavy = cases["category_code"].isin(["dispute_land", "dispute_labour_wages"]).to_numpy()
    p_light, p_heavy = np.array([0.82, 0.12, 0.05, 0.01]), np.array([0.55, 0.25, 0.15, 0.05])
    draw = rng.random(len(cases))
    light_level = (draw[:, None] > np.cumsum(p_light)[None, :]).sum(axis=1)
    heavy_level = (draw[:, None] > np.cumsum(p_heavy)[None, :]).sum(axis=1)
    return levels[np.minimum(np.where(heavy, heavy_level, light_level), 3)]
