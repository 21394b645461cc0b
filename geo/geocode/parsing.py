"""Reading many addresses at once: normalised and parsed on every core.

A province's bulk placement reads about a million texts (its cases' and its buildings'),
at some 60 µs each in one process. From PARALLEL_FROM texts on, they are read in worker
processes, one a core, in contiguous chunks, and come back in order: in a command line only
(geo.shared.processes; a web request reads them itself).
"""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from geo.geocode.address import Address, AreaNames, normalise, parse
from geo.shared import processes

PARALLEL_FROM = 40_000  # below this, starting the workers (about a second) costs more than it saves


def parse_all(texts: list[str], names: AreaNames) -> list[Address]:
    """`parse(normalise(text), names)` of each text, in order."""
    workers = min(processes.allowed(), len(texts) // (PARALLEL_FROM // 2) or 1)
    if len(texts) < PARALLEL_FROM or workers == 1:
        return _parse_chunk(texts, names)
    size = -(-len(texts) // workers)
    chunks = [texts[start : start + size] for start in range(0, len(texts), size)]
    # Spawned, not forked: the caller may hold database connections and threads.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return [address for chunk in pool.map(_parse_chunk, chunks, [names] * len(chunks)) for address in chunk]


def _parse_chunk(texts: list[str], names: AreaNames) -> list[Address]:
    return [parse(normalise(text), names) for text in texts]
