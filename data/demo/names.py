"""Fictional but plausible Chinese place, road, estate and staff names (Central Plains style)."""

import numpy as np

CITY_NAMES = ["安澜", "临淮", "丰阳", "永川", "清河", "泰宁", "嘉禾", "长垣", "宁陵", "汝南"]
URBAN_DISTRICTS = ["澜城", "河东", "新华", "西湖", "北关", "南城"]
RURAL_COUNTIES = ["临河", "丰泽", "永宁", "清源", "双桥", "宝丰", "平安", "长乐"]

PLEASANT = list(
    "和平 幸福 建设 解放 文化 光明 朝阳 向阳 长青 滨河 金桥 花园 迎宾 站前 龙湖 凤凰 翠湖 春晖 "
    "紫荆 锦华 康宁 振兴 古城 书院 开元 丰乐 惠民 安居 长乐 永安 福寿 泰和 玉泉 东风 红旗 胜利 "
    "民主 团结 友谊 东城 西城 南苑 北苑 育才 健康 新风 兴华 华山 嵩山 黄河 淮河 中原 工农 秀水 "
    "清风 明德 怡园 曙光 前进 百花 桂花 梧桐 银杏 松柏 荷花 杏林 青年 南湖 北湖".split()
)
SURNAMES = list(
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
VILLAGE_SUFFIXES = list("庄集店桥湾寨庙营楼岗坡堡屯铺河埠口园圩塘洼")
VILLAGE_PREFIXES = ["", "", "", "前", "后", "大", "小", "东", "西", "南", "北", "新"]
COMMUNITY_VARIANTS = ["", "路", "里", "苑", "街", "东", "西", "南", "北", "新村"]
ESTATE_WORDS = list(
    "锦绣 金色 阳光 翡翠 碧水 丽景 御景 盛世 星河 天润 宏达 华府 紫金 银杏 枫林 绿城 水岸 东方 "
    "世纪 康乐 和谐 书香 润园 滨江 明珠 富源 金地 金茂 华庭 丽都 怡景 雅居 春华 秋实 泰和 瑞祥 "
    "祥和 鑫苑 万家 千禧 锦江 兰亭 香榭 橡树 馨园 锦城 龙腾 凤鸣 文苑 学府 新城 锦园 融城 博雅".split()
)
ESTATE_SUFFIXES = ["花园", "小区", "家园", "苑", "公寓", "新村", "名苑", "雅居", "嘉园", "华庭", "城"]
ROAD_SUFFIXES = ["路", "路", "路", "街", "大道", "巷"]
GIVEN_CHARS = list("伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红建文辉力斌宇浩凯鹏俊帅飞鑫博")
CHINESE_DIGITS = "〇一二三四五六七八九"


class NamePool:
    """Draws names without repeats within one city; deterministic for a given generator."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.used: set[str] = set()

    def unique(self, make, attempts: int = 200, variant=None) -> str:
        """Call `make()` until it yields an unused name; then `variant(base, 2, 3, ...)`,
        by default an ordinal before the last character (王庄村 → 王庄二村, 兰亭巷 → 兰亭二巷):
        a name never ends in a digit, which an address would run into the number after it."""
        variant = variant or ordinal_before_suffix
        for _ in range(attempts):
            name = make()
            if name not in self.used:
                self.used.add(name)
                return name
        base = make()
        number = 2
        while variant(base, number) in self.used:
            number += 1
        self.used.add(variant(base, number))
        return variant(base, number)

    def pick(self, options: list[str]) -> str:
        return options[int(self.rng.integers(len(options)))]

    def street(self) -> str:
        return self.unique(lambda: self.pick(PLEASANT) + "街道")

    def town(self) -> str:
        return self.unique(lambda: self.pick(SURNAMES) + self.pick(VILLAGE_SUFFIXES) + "镇")

    def community(self) -> str:
        return self.unique(lambda: self.pick(PLEASANT) + self.pick(COMMUNITY_VARIANTS) + "社区")

    def village(self) -> str:
        return self.unique(
            lambda: self.pick(VILLAGE_PREFIXES) + self.pick(SURNAMES) + self.pick(VILLAGE_SUFFIXES) + "村"
        )

    def estate(self) -> str:
        # A later phase of a known estate (锦绣花园二期) once the plain names run out.
        return self.unique(
            lambda: self.pick(ESTATE_WORDS) + self.pick(ESTATE_SUFFIXES),
            attempts=60,
            variant=lambda base, n: f"{base}{chinese_ordinal(n)}期",
        )

    def road(self) -> str:
        return self.unique(lambda: self.pick(PLEASANT + ESTATE_WORDS) + self.pick(ROAD_SUFFIXES))

    def person(self) -> str:
        """A fictional staff name (grid workers are not sensitive; key persons get no name)."""
        given = "".join(self.pick(GIVEN_CHARS) for _ in range(int(self.rng.integers(1, 3))))
        return self.pick(SURNAMES) + given


def ordinal_before_suffix(base: str, number: int) -> str:
    """和平社区 → 和平二社区, 王庄村 → 王庄二村: the ordinal goes before the generic suffix."""
    cut = -2 if base.endswith(("社区", "街道", "大道", "大街")) else -1
    return f"{base[:cut]}{chinese_ordinal(number)}{base[cut:]}"


def chinese_ordinal(number: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 105 → 一百零五 (for 组 and 网格 names)."""
    if number < 10:
        return CHINESE_DIGITS[number]
    if number < 20:
        return "十" + (CHINESE_DIGITS[number % 10] if number % 10 else "")
    if number < 100:
        tens, ones = divmod(number, 10)
        return CHINESE_DIGITS[tens] + "十" + (CHINESE_DIGITS[ones] if ones else "")
    if number >= 10000:
        return str(number)
    if number >= 1000:
        thousands, rest = divmod(number, 1000)
        tail = "" if rest == 0 else chinese_ordinal(rest)
        if 0 < rest < 100:
            tail = "零" + ("一" if 10 <= rest < 20 else "") + tail
        return CHINESE_DIGITS[thousands] + "千" + tail
    hundreds, rest = divmod(number, 100)
    tail = "" if rest == 0 else ("零" + chinese_ordinal(rest) if rest < 10 else chinese_ordinal(rest))
    if 10 <= rest < 20:
        tail = "一" + tail
    return CHINESE_DIGITS[hundreds] + "百" + tail
