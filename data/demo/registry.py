"""Key persons (pseudonymous, no names), key places, cameras and governance centres."""

import hashlib

import numpy as np
import pandas as pd
import shapely

from data.demo.names import PLEASANT, NamePool

KEY_PERSON_MIX = {  # (urban share, rural share)
    "community_correction": (0.15, 0.10),
    "released_person": (0.18, 0.11),
    "severe_mental": (0.22, 0.18),
    "drug_rehabilitation": (0.10, 0.05),
    "left_behind_child": (0.10, 0.28),
    "elderly_alone": (0.25, 0.28),
}
CARE_LEVELS = (["high", "medium", "low"], [0.15, 0.35, 0.50])
PLACE_MIX = {
    "school": 0.15,
    "hospital": 0.08,
    "market": 0.10,
    "hotel": 0.15,
    "internet_cafe": 0.08,
    "hazardous_chemicals": 0.04,
    "other": 0.40,
}
PLACE_SUFFIXES = {
    "school": ["小学", "中学", "幼儿园"],
    "hospital": ["诊所", "卫生院", "医院"],
    "market": ["农贸市场", "菜市场", "商场"],
    "hotel": ["宾馆", "酒店", "快捷酒店"],
    "internet_cafe": ["网吧", "网咖"],
    "hazardous_chemicals": ["加油站", "化工仓库", "燃气站"],
    "other": ["银行", "超市", "物流公司", "药店", "KTV", "洗浴中心"],
}
PLACE_BUILDING_KINDS = {"school": ["school"], "hospital": ["hospital"], "hazardous_chemicals": ["industrial"]}
CENTRE_SUFFIX = "综治中心"


def key_persons(buildings: pd.DataFrame, units: pd.DataFrame, count: int, seed: int, rng) -> pd.DataFrame:
    """Registered key persons linked to a residential building and unit; pseudonymous ids."""
    residential = buildings.index[buildings["households"] > 0].to_numpy()
    weight = buildings.loc[residential, "households"].to_numpy(dtype=float)
    building = rng.choice(residential, size=count, p=weight / weight.sum())
    urban = (buildings.loc[building, "kind"] == "residential").to_numpy()
    categories = list(KEY_PERSON_MIX)
    urban_p = np.array([v[0] for v in KEY_PERSON_MIX.values()])
    rural_p = np.array([v[1] for v in KEY_PERSON_MIX.values()])
    category = np.where(
        urban,
        rng.choice(categories, size=count, p=urban_p / urban_p.sum()),
        rng.choice(categories, size=count, p=rural_p / rural_p.sum()),
    )
    unit_counts = buildings["unit_count"].to_numpy()[building]
    return pd.DataFrame(
        {
            "pseudonym": [_pseudonym(seed, i) for i in range(count)],
            "category_code": category,
            "building": building,
            "unit_no": np.where(unit_counts > 0, rng.integers(1, np.maximum(unit_counts, 1) + 1), 0),
            "care_level": rng.choice(CARE_LEVELS[0], size=count, p=CARE_LEVELS[1]),
            "registered_on": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 6 * 365, count), unit="D"),
        }
    )


def _pseudonym(seed: int, index: int) -> str:
    return "KP" + hashlib.sha256(f"{seed}:{index}".encode()).hexdigest()[:14].upper()


def key_places(buildings: pd.DataFrame, count: int, names: NamePool, rng) -> pd.DataFrame:
    """Schools, hospitals, markets, hotels, internet cafés, hazardous sites and other units."""
    rows = []
    urban = buildings.index[buildings["kind"] == "residential"].to_numpy()
    for category, share in PLACE_MIX.items():
        wanted = int(round(count * share))
        own = buildings.index[buildings["kind"].isin(PLACE_BUILDING_KINDS.get(category, []))].to_numpy()
        pool = np.concatenate([rng.permutation(np.array(own)), rng.choice(urban, size=wanted, replace=False)])[:wanted]
        for building in pool:
            suffixes = PLACE_SUFFIXES[category]
            name = names.unique(lambda suffixes=suffixes: names.pick(PLEASANT) + names.pick(suffixes))
            rows.append((category, name, int(building)))
    places = pd.DataFrame(rows, columns=["category", "name", "building"])
    places["address"] = buildings["standard_address"].to_numpy()[places["building"]]
    centres = shapely.centroid(buildings["footprint"].to_numpy()[places["building"]])
    places["x"], places["y"] = shapely.get_x(centres), shapely.get_y(centres)
    return places


def cameras(roads: pd.DataFrame, places: pd.DataFrame, buildings: pd.DataFrame, count: int, rng) -> pd.DataFrame:
    """Video points: most along roads (busier classes more), some at estates and key places."""
    on_roads, at_estates = int(count * 0.6), int(count * 0.25)
    at_places = count - on_roads - at_estates
    class_weight = roads["class"].map({"expressway": 3, "arterial": 4, "secondary": 2, "local": 2, "rural": 0.3})
    weight = (roads["geom"].map(lambda g: g.length) * class_weight).to_numpy()
    road = rng.choice(len(roads), size=on_roads, p=weight / weight.sum())
    lines = roads["geom"].to_numpy()[road]
    points = shapely.line_interpolate_point(lines, rng.random(on_roads), normalized=True)
    estates = rng.choice(buildings.index[buildings["kind"] == "residential"].to_numpy(), size=at_estates, replace=False)
    estate_points = shapely.centroid(buildings["footprint"].to_numpy()[estates])
    place_rows = places.sample(n=min(at_places, len(places)), random_state=int(rng.integers(1 << 31)))
    frame = pd.DataFrame(
        {
            "kind": ["road"] * on_roads + ["community"] * at_estates + ["key_place"] * len(place_rows),
            "x": np.concatenate([shapely.get_x(points), shapely.get_x(estate_points) + 12, place_rows["x"] + 8]),
            "y": np.concatenate([shapely.get_y(points), shapely.get_y(estate_points), place_rows["y"]]),
            "name": [f"{n or '乡村道路'}监控点" for n in roads["name"].to_numpy()[road]]
            + [f"{e}监控点" for e in buildings["estate"].to_numpy()[estates]]
            + [f"{n}门口监控点" for n in place_rows["name"]],
        }
    )
    return frame


def centres(admin: pd.DataFrame, buildings: pd.DataFrame) -> pd.DataFrame:
    """One centre per administrative area, in the building nearest the area's middle."""
    footprints = buildings["footprint"].to_numpy()
    tree = shapely.STRtree(footprints)
    rows = []
    for area in admin.itertuples():
        inside = shapely.point_on_surface(area.geom) if area.level > 1 else shapely.Point(0, 0)
        building = int(tree.nearest(inside))
        centre = shapely.centroid(footprints[building])
        rows.append(
            (
                area.code,
                area.level,
                area.name + CENTRE_SUFFIX,
                buildings["standard_address"].iloc[building],
                centre.x,
                centre.y,
            )
        )
    return pd.DataFrame(rows, columns=["admin_code", "level", "name", "address", "x", "y"])
