"""Addresses read in worker processes (geo.geocode.parsing) come back as one process reads
them, in order; and only a command line may start the workers."""

from geo.geocode import parsing
from geo.geocode.address import AreaNames, normalise, parse
from geo.shared import processes

NAMES = AreaNames({"安澜市": 1, "澜城区": 2, "东湖街道": 3, "锦绣社区": 4})
TEXTS = [
    "安澜市澜城区人民路１２號锦绣花园3幢2单元301",
    "东湖街道锦绣社区三组十二号",
    "人民路12号3号",
    "",
    "建设路八十八号",
] * 7


def test_workers_read_the_addresses_as_one_process_does_and_in_order(monkeypatch):
    monkeypatch.setattr(parsing, "PARALLEL_FROM", 4)
    monkeypatch.setattr(processes, "_allowed", 2)
    texts = [f"{text}{i}" if text else text for i, text in enumerate(TEXTS)]
    assert parsing.parse_all(texts, NAMES) == [parse(normalise(text), NAMES) for text in texts]


def test_without_a_command_line_no_worker_is_started(monkeypatch):
    monkeypatch.setattr(parsing, "PARALLEL_FROM", 4)
    monkeypatch.setattr(processes, "_allowed", 1)
    monkeypatch.setattr(parsing, "ProcessPoolExecutor", None)  # any pool would fail
    assert len(parsing.parse_all(TEXTS, NAMES)) == len(TEXTS)
