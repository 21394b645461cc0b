"""The importable layers, by the name `--layer` takes, in the order a city loads them."""

from geo.imports.layers import areas, buildings, cameras, cases, categories, grids, key_persons, key_places, micro_grids

LAYERS = {
    layer.name: layer
    for layer in (
        categories.LAYER,
        areas.LAYER,
        grids.LAYER,
        micro_grids.LAYER,
        buildings.LAYER,
        key_persons.LAYER,
        key_places.LAYER,
        cameras.LAYER,
        cases.LAYER,
    )
}
