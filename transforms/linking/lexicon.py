"""Which short names are ordinary words, and where word boundaries fall: the judge of Sina's name matches.

Built on a general Chinese lexicon (jieba's dictionary: word, frequency, part of speech) and its segmenter,
plus a curated list (``policywatch/data/generic_names.yaml``). Pure: the caller loads the data and passes it in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["Facility", "Lexicon", "LexiconEntry", "LongerWord"]

#: part-of-speech tags of proper names of people and organisations: never "common words"
_PROPER = frozenset({"nr", "nrt", "nrfg", "nt", "nz", "j"})
_POS_WORDS = {"n": "a common noun", "ns": "a place name", "l": "an idiom", "v": "a verb", "a": "an adjective",
              "vn": "a verbal noun", "an": "an adjectival noun"}  # fmt: skip
_SENTENCE = re.compile(r"[。！？；!?;\n]")


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    frequency: int
    pos: str


@dataclass(frozen=True, slots=True)
class LongerWord:
    word: str
    #: a curated word, a place, an institution or a field suffix: the words after it belong to the longer word,
    #: so they cannot make the name the company; a segmenter's cut (or a place word that opens a longer word:
    #: 张家界市民) is only a reading that the words around may overrule
    definite: bool
    what: str  #: what the longer word is, for the reason


#: the facility a company is named after, by how its name ends: 大秦铁路 is also the railway line, 宁波港 the
#: port; such a name is the facility only where words of the facility are around it (宁波港吞吐量)
_FACILITIES = (
    ("高铁", "the railway line"), ("铁路", "the railway line"), ("机场", "the airport"), ("空港", "the airport"),
    ("高速", "the expressway"), ("油田", "the oilfield"), ("港", "the port"),
)  # fmt: skip
#: words after a place's name that make them the place: 连云港市, 张家界景区, 陆家嘴论坛, 金融街论坛, 上海临港新片区
#: (never the market's figures: 市值, 市场, 市盈率, 区块链); only a name that is a place's takes them
_PLACE_AFTER = re.compile(
    r"市(?![值场盈净占销])|区(?!块)|县|镇|乡|省|风景区|景区|论坛|峰会|新区|新片区|开发区|高新区|自贸区|保税区|"
    r"综合保税区|片区|大道|街道|火车站|高铁站|机场|金融城|地区|一带|周边|商圈|国家森林公园|森林公园|国家公园|"
    r"地质公园|公园"
)
#: how a lexicon word that names a place may end (陆家嘴, 张家界, 金融街, 白云山: jieba tags some as person names)
_PLACE_ENDINGS = frozenset("山岛湖江河街嘴界湾城桥港洲峡关")
#: an association is named after its field, never a company's own body: 中国建筑装饰协会, 中国石油和化学工业
#: 联合会, 中国动力电池产业创新联盟; the words between are its field, not an act (中国建筑牵头成立…联盟)
_ASSOCIATION_AFTER = re.compile(r"(?P<field>[\u4e00-\u9fff]{1,8}?)(?:协会|联合会|学会|研究会|联盟|商会|促进会)")
_NOT_A_FIELD = re.compile(
    r"发起|成立|加入|牵头|联合|参与|携手|组建|倡议|推动|宣布|发布|签约|签署|入选|当选|成为|举办|召开|出席|主办|承办|"
    r"与|等|的|在|将|是|为|向|被|已|拟|获"
)
#: a name + 科学研究院 (or 科学院): an academy of the science its last word names (中国建筑科学研究院, the academy
#: of building science), not the company's own research arm, which is named after the company itself and not
#: after a science (中国银行研究院, 中国石化石油化工科学研究院)
_ACADEMY_AFTER = re.compile(r"科学(?:技术)?研究[院所]|科学院")
#: a bank's name + 保险 (or 保监): the joint field of banking and insurance, which only a regulator, its
#: newspaper or its institutions are named after (中国银行保险监督管理委员会, 中国银行保险报); 工商银行保险代理
#: (the bank's own agency business) runs into no such ending
_BANK_AND_INSURANCE = re.compile(
    r"(?:保险|保监|银保监)[\u4e00-\u9fff]{0,4}?(?:监督管理|监管|委员会|协会|报|机构|行业|业(?![务绩]))"
)


#: a zone's or a park's name a short name runs into: 东湖高新 + 区 is 东湖高新区 (the Wuhan East Lake zone), its
#: last characters opening the zone word
_ZONE_WORDS = ("高新区", "开发区", "示范区", "自贸区", "保税区", "试验区", "合作区", "产业园", "科技园", "工业园",
               "园区")  # fmt: skip
#: a planned hub, centre or platform whose name a short name ends: 探索建设数字丝绸之路国际数据港 is the project,
#: not 数据港 (603881). A naming word right before the name (国际, 国家级…) and a verb of building earlier in the
#: clause: a company is not built, a project is.
_NAME_OPENER = re.compile(r"(?:国际|国家级|全国性|区域性|全球|世界级)$")
_BUILD_VERB = re.compile(r"建设|打造|建成|建立|创建|筹建|规划建设|布局建设")
_CLAUSE_MARK = re.compile(r"[。！？；!?;\n，,、：:]")


def _zone_around(name: str, text: str, end: int) -> LongerWord | None:
    for zone in _ZONE_WORDS:
        for cut in range(1, len(zone)):
            if name.endswith(zone[:cut]) and text.startswith(zone[cut:], end):
                return LongerWord(name + zone[cut:], True, "the name of a zone")
    return None


def _project_ending(text: str, start: int, end: int) -> LongerWord | None:
    opener = _NAME_OPENER.search(text, max(0, start - 3), start)
    if opener is None:
        return None
    clause = max((m.end() for m in _CLAUSE_MARK.finditer(text, 0, start)), default=0)
    verbs = list(_BUILD_VERB.finditer(text, clause, opener.start()))
    if not verbs:
        return None
    # the project's name runs from the last verb of building to the short name that ends it
    return LongerWord(text[verbs[-1].end() : end], True, "the name of a planned project")


#: characters that turn a name's last word into a field or a market: 银行 + 业 (banking), 银行 + 间 (interbank),
#: 建筑 + 业 (construction), 银行 + 界 (bankers)
_FIELD_SUFFIXES = frozenset("业间界")
#: last words that make a name an organisation's by its form
_ORGANISATION_ENDINGS = ("银行", "证券", "保险", "信托", "集团", "股份", "控股")


@dataclass(frozen=True, slots=True)
class Facility:
    ending: str  #: how the name ends: 港, 机场, 高速…
    what: str  #: the facility: "the port"


@dataclass(frozen=True)
class Lexicon:
    """``entries``: the general lexicon; ``common``/``company``: curated overrides (word → note);
    ``longer``: curated words that contain a short name but are not the company (word → what it is);
    ``segment``: a word segmenter (text → words in order); ``min_frequency``: how frequent a lexicon word must be
    to count as common."""

    entries: Mapping[str, LexiconEntry]
    common: Mapping[str, str]
    company: Mapping[str, str]
    segment: Callable[[str], Sequence[str]]
    min_frequency: int = 20
    longer: Mapping[str, str] = field(default_factory=dict)

    def common_word(self, word: str) -> str | None:
        """Why ``word`` is an ordinary word (a phrase for the reason), or None if it is not one."""
        if word in self.company:
            return None
        if word in self.common:
            return f"an ordinary phrase meaning {self.common[word]}"
        facility = self.facility(word)
        if facility:
            return f"the name of {facility.what} it runs"
        entry = self.entries.get(word)
        if entry is None or entry.pos in _PROPER or entry.frequency < self.min_frequency:
            return None
        kind = _POS_WORDS.get(entry.pos, "an ordinary word")
        return f"{kind} in the general lexicon (frequency {entry.frequency})"

    def common_noun(self, word: str) -> bool:
        """``word`` is a common noun of the general lexicon (农产品, 机器人): a thing or a field, not a place, an
        idiom or a curated phrase."""
        entry = self.entries.get(word)
        return (
            word not in self.common
            and word not in self.company
            and entry is not None
            and entry.pos == "n"
            and entry.frequency >= self.min_frequency
        )

    def distinctive(self, name: str) -> bool:
        """A short name that says the company by itself: not an ordinary word, longer than two characters."""
        return len(name) > 2 and self.common_word(name) is None

    def is_place(self, word: str) -> bool:
        entry = self.entries.get(word)
        return entry is not None and entry.pos == "ns"

    def organisation(self, name: str) -> bool:
        """The lexicon (or the curated list) knows ``name`` as the name of an organisation, or the name says
        so by its last word (北京银行, 东吴证券)."""
        entry = self.entries.get(name)
        return (
            name in self.company
            or (entry is not None and entry.pos == "nt")
            or (len(name) > 2 and name.endswith(_ORGANISATION_ENDINGS))
        )

    def facility(self, name: str) -> Facility | None:
        """The facility ``name`` is also the name of, by how it ends (宁波港 the port), unless curated as the
        company's own name (数据港)."""
        if name in self.company:
            return None
        for ending, what in _FACILITIES:
            if name.endswith(ending) and len(name) > len(ending):
                return Facility(ending, what)
        return None

    def place_like(self, name: str) -> bool:
        """``name`` is also a place's: a place name (鄂尔多斯, 宁波港), a facility's (连云港, 上海临港) or a
        lexicon word ending like a place (陆家嘴, 张家界, 金融街). 招商银行, 格力电器 are not."""
        if name in self.company:
            return False
        if self.is_place(name) or self.facility(name):
            return True
        entry = self.entries.get(name)
        return entry is not None and entry.pos not in ("nt", "j") and name[-1] in _PLACE_ENDINGS

    def longer_word(self, text: str, start: int, end: int) -> LongerWord | None:
        """The longer word that ``text[start:end]`` sits inside, if it is not a word of its own there.

        In order: a curated word containing it; a bank's name opening the joint field of banking and insurance
        (中国银行 in 中国银行保险监督管理委员会); a place's name with a place word after it (连云港市, 陆家嘴论坛;
        but 招商银行区域 is the bank's region, and 张家界市民 the city's people unless company words follow); an
        association named after a field the name opens (中国动力电池产业创新联盟, 中国建筑装饰协会); an academy of the
        science the name ends with (中国建筑科学研究院, but 中国银行研究院 is the bank's own); a character
        that makes its last word a field or a market (中国建筑 + 业 → 建筑业, 上海银行 + 间 → 银行间; but
        中国建筑 + 业绩 is the company's results); a zone's name the name runs into (东湖高新 + 区 → 东湖高新区);
        a planned project's name the name ends (建设…国际数据港); and the segmenter's cuts: 中国动力电池装车量
        segments as 中国/动力电池/…, the name's end falls inside 动力电池, so the longer word is 中国动力电池.
        """
        curated = self._curated_around(text, start, end)
        if curated:
            return LongerWord(curated, True, self.longer[curated])
        name = text[start:end]
        joint = _BANK_AND_INSURANCE.match(text, end) if name.endswith("银行") else None
        if joint:
            return LongerWord(name + joint.group(0), True, "an institution of banking and insurance")
        place = self._place_after(name, text, end)
        if place:
            return place
        academy = _ACADEMY_AFTER.match(text, end)
        if academy:
            return LongerWord(name + academy.group(0), True, "the name of a research academy of its field")
        association = _ASSOCIATION_AFTER.match(text, end)
        if association and not _NOT_A_FIELD.search(association.group("field")):
            return LongerWord(name + association.group(0), True, "the name of an association")
        after = text[end : end + 2]
        if (
            after[:1] in _FIELD_SUFFIXES
            and name[-2:] + after[:1] in self.entries
            and not (len(after) == 2 and after in self.entries)
        ):
            return LongerWord(name + after[:1], True, "an industry or a market")
        return _zone_around(name, text, end) or _project_ending(text, start, end) or self._segmented(text, start, end)

    def _segmented(self, text: str, start: int, end: int) -> LongerWord | None:
        """The segmenter's reading of the sentence: the words the name's edges fall inside, if any."""
        name = text[start:end]
        left = max((m.end() for m in _SENTENCE.finditer(text, 0, start)), default=0)
        right_match = _SENTENCE.search(text, end)
        right = right_match.start() if right_match else len(text)
        sentence = text[left:right]
        a, b = start - left, end - left
        cuts, offset = {0}, 0
        spans = []
        for word in self.segment(sentence):
            spans.append((offset, offset + len(word)))
            offset += len(word)
            cuts.add(offset)
        if a in cuts and b in cuts:
            return None
        covering = [(s, e) for s, e in spans if s < b and e > a]
        longer = LongerWord(sentence[min(s for s, _ in covering) : max(e for _, e in covering)], False, "a word")
        # both edges inside words: the name is no word of the sentence but runs across words (创新 + 和 + 成果
        # read as 新和成)
        if a not in cuts and b not in cuts and len(covering) > 1:
            return LongerWord(longer.word, False, "words the name runs across")
        # a word crossing an edge by one character is usually a particle the segmenter glued on (和, 等, 的);
        # only a crossing by two or more characters makes a longer word (中国动力 + 电池 → 动力电池)
        crossing = [(s, e) for s, e in spans if (s < a < e) or (s < b < e)]
        if not any(max(a - s, e - b) >= 2 for s, e in crossing):
            return None
        # an organisation's name then a word of its own: 长安汽车 + 销量 (segmented 长安/汽车销量) is the
        # company's sales, the name's edges are where its words begin and end
        if (
            a in cuts
            and self.organisation(name)
            and all(s < b < e and sentence[b:e] in self.entries for s, e in crossing)
        ):
            return None
        return longer

    def _place_after(self, name: str, text: str, end: int) -> LongerWord | None:
        """A place word after a place's name. A one-character one that opens a longer word (市民, 市委, 区域)
        still most likely speaks of the place, but company words around may make it the company's."""
        if not self.place_like(name):
            return None
        place = _PLACE_AFTER.match(text, end)
        if place is None:
            return None
        if len(place.group(0)) == 1:
            for size in (4, 3, 2):
                word = text[end : end + size]
                if len(word) == size and word in self.entries:
                    return LongerWord(name + word, False, "a place")
        return LongerWord(name + place.group(0), True, "a place")

    def _curated_around(self, text: str, start: int, end: int) -> str | None:
        name = text[start:end]
        for word in self.longer:
            if len(word) <= len(name) or name not in word:
                continue
            window = text[max(0, end - len(word)) : start + len(word)]
            offset = max(0, end - len(word))
            at = window.find(word)
            while at != -1:
                if offset + at <= start and end <= offset + at + len(word):
                    return word
                at = window.find(word, at + 1)
        return None
