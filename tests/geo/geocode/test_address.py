"""The normaliser on a table of variants, and the parser's components."""

import pytest

from geo.geocode.address import AreaNames, estate_core, keys, normalise, parse

NAMES = AreaNames({"安澜市": 1, "澜城区": 2, "临河县": 2, "王庄镇": 3, "新华街道": 3, "李楼村": 4, "和平社区": 4})

SAME_PLACE = [
    # (what a clerk typed, the normalised form of the standard address it means)
    ("安澜市澜城区人民路12号锦绣花园3栋", "安澜市澜城区人民路12号锦绣花园3栋"),
    ("安澜市澜城区人民路１２号锦绣花园３栋", "安澜市澜城区人民路12号锦绣花园3栋"),  # full-width digits
    ("安澜市澜城区人民路12號锦绣花园3栋", "安澜市澜城区人民路12号锦绣花园3栋"),  # traditional 號
    ("安瀾市瀾城區人民路12號錦繡花園3棟", "安澜市澜城区人民路12号锦绣花园3栋"),  # all traditional
    ("安澜市澜城区人民路十二号锦绣花园三栋", "安澜市澜城区人民路12号锦绣花园3栋"),  # Chinese numerals
    ("安澜市澜城区人民路一百零三号锦绣花园3栋", "安澜市澜城区人民路103号锦绣花园3栋"),
    ("安澜市 澜城区 人民路12号，锦绣花园3栋", "安澜市澜城区人民路12号锦绣花园3栋"),  # spaces, punctuation
    ("安澜市澜城区人民路12号锦绣花园3幢", "安澜市澜城区人民路12号锦绣花园3栋"),  # 幢
    ("安澜市澜城区人民路12号锦绣花园3号楼", "安澜市澜城区人民路12号锦绣花园3栋"),  # 号楼
    ("安澜市澜城区人民路12号锦绣花园3座", "安澜市澜城区人民路12号锦绣花园3栋"),  # 座
    ("安澜市澜城区人民路12号锦绣花园3#", "安澜市澜城区人民路12号锦绣花园3栋"),  # 3#
    ("安澜市澜城区人民路12锦绣花园3栋", "安澜市澜城区人民路12号锦绣花园3栋"),  # 号 left out
    ("安澜市澜城区人民路12号（锦绣花园）3栋", "安澜市澜城区人民路12号锦绣花园3栋"),  # brackets
    ("临河县王庄镇李楼村三组十二号", "临河县王庄镇李楼村3组12号"),
    ("临河县王庄镇李楼村第三组12号", "临河县王庄镇李楼村3组12号"),
    ("锦绣花园二期5栋", "锦绣花园2期5栋"),
    ("锦城家园廿七栋", "锦城家园27栋"),  # 廿 = twenty
    ("人民路\x0012号锦绣花园3栋", "人民路12号锦绣花园3栋"),  # a NUL pasted in
    ("安澜市澜城区人民路12号院锦绣花园3号楼", "安澜市澜城区人民路12号锦绣花园3栋"),  # 号院
]


@pytest.mark.parametrize(("typed", "standard"), SAME_PLACE)
def test_variants_normalise_to_the_standard_form(typed, standard):
    assert normalise(typed) == normalise(standard) == standard


@pytest.mark.parametrize(
    ("typed", "unit", "room"),
    [
        ("人民路12号锦绣花园3栋2单元301室", "2", "301"),
        ("人民路12号锦绣花园3栋2单元301", "2", "301"),
        ("人民路12号锦绣花园3栋2单元301户", "2", "301"),
        ("人民路12号锦绣花园3-2-301", "2", "301"),
        ("人民路12号锦绣花园3栋", "", ""),
    ],
)
def test_unit_and_room_are_split_off_and_do_not_change_the_building(typed, unit, room):
    address = parse(normalise(typed), NAMES)
    assert (address.body, address.unit, address.room) == ("人民路12号锦绣花园3栋", unit, room)


def test_components_of_an_urban_and_a_rural_address():
    urban = parse(normalise("安澜市澜城区新华街道人民路12号锦绣花园3栋"), NAMES)
    assert urban.areas == ["安澜市", "澜城区", "新华街道"]
    assert (urban.road, urban.number, urban.estate, urban.building) == ("人民路", "12号", "锦绣花园", "3栋")
    rural = parse(normalise("临河县王庄镇李楼村三组12号"), NAMES)
    assert rural.areas == ["临河县", "王庄镇", "李楼村"]
    assert (rural.group, rural.number, rural.road, rural.estate) == ("3组", "12号", "", "")
    assert rural.numbers == "3组|12号"


def test_optional_prefixes_give_the_same_keys():
    full = parse(normalise("河南省安澜市澜城区人民路12号锦绣花园3栋"), NAMES)
    bare = parse(normalise("人民路12号锦绣花园3栋"), NAMES)
    assert keys(full) == keys(bare)
    assert full.areas == ["安澜市", "澜城区"]


def test_a_road_named_after_a_district_is_not_taken_for_it():
    address = parse(normalise("澜城路5号锦绣花园3栋"), NAMES)
    assert address.areas == [] and address.road == "澜城路"


def test_keys_cover_an_omitted_estate_or_road():
    standard = dict((key, kind) for kind, key in keys(parse(normalise("人民路12号锦绣花园3栋"), NAMES)))
    for typed in ("人民路12号3栋", "锦绣花园3栋"):
        typed_keys = {key for _, key in keys(parse(normalise(typed), NAMES))}
        assert typed_keys & set(standard), typed
    # An estate under another suffix is no exact key: fuzzy matching weighs it against others.
    assert not {key for _, key in keys(parse(normalise("锦绣小区3栋"), NAMES))} & set(standard)
    assert estate_core("锦绣花园") == estate_core("锦绣小区") == "锦绣"


def test_text_that_is_no_address_still_normalises_without_error():
    for text in ("", "   ", "菜市场旁边", "<script>alert(1)</script>", "零", "第组", "１２３"):
        normalise(text)
        parse(normalise(text), NAMES)


def test_hostile_text_is_cut_to_an_address_length():
    # Unbounded, the first of these took minutes (some patterns are quadratic in the length).
    for text in ("1" * 100_000, "路1" * 50_000, "人民路12号" * 20_000, "\x00\x1f" * 1000):
        address = parse(normalise(text), NAMES)
        assert len(address.text) <= 256
