"""The linker's rules on sentences beyond the ones they were first written from, each class read by hand.

Every sentence puts a Sina link where Sina's linker would (the first occurrence of the short name) and is
judged twice: the link's class, and whether the own matcher finds the company (it should exactly when the
class is ``mention``). Written from the way Chinese financial news is worded, not from the rules' patterns.
"""

from __future__ import annotations

import pytest

from tests.transforms.linking_cases import C, M, T, check


@pytest.mark.parametrize(
    ("text", "code", "anchor", "expected"),
    [
        # the place itself: its people, its government, its district, its scenery, its basin, its dam
        ("张家界市民纷纷前往景区游览。", "sz000430", "张家界", C),
        ("连云港市委书记调研港口建设。", "sh601008", "连云港", C),
        ("鄂尔多斯市政府发布煤炭保供方案。", "sh600295", "鄂尔多斯", C),
        ("陆家嘴金融城将新增一批外资机构。", "sh600663", "陆家嘴", C),
        ("陆家嘴街道开展垃圾分类宣传。", "sh600663", "陆家嘴", C),
        ("金融街论坛年会在北京开幕。", "sz000402", "金融街", C),
        ("中关村论坛将于下月举行。", "sz000931", "中关村", C),
        ("天目湖景区游客量创新高。", "sh603136", "天目湖", C),
        ("长白山景区接待游客超过百万人次。", "sh603099", "长白山", C),
        ("长白山天池迎来首场降雪。", "sh603099", "长白山", C),
        ("张家界国家森林公园游客接待量创新高。", "sz000430", "张家界", C),
        ("鄂尔多斯盆地发现大型气田。", "sh600295", "鄂尔多斯", C),
        ("葛洲坝水利枢纽是长江上第一座大型水电站。", "sh600068", "葛洲坝", C),
        ("上海临港新片区挂牌两周年。", "sh600848", "上海临港", C),  # the Lingang special area
        ("天津港保税区新增注册企业200家。", "sh600717", "天津港", C),
        # the companies named after those places, doing what only a listed company does
        ("张家界发布2021年业绩预告，预计全年亏损。", "sz000430", "张家界", M),
        ("陆家嘴公告称，拟收购信托公司股权。", "sh600663", "陆家嘴", M),
        ("金融街市值跌破200亿元。", "sz000402", "金融街", M),
        ("金融街控股股东拟增持公司股份。", "sz000402", "金融街", M),
        ("长白山董事会审议通过温泉项目投资议案。", "sh603099", "长白山", M),
        ("中关村发布半年报，营收下滑。", "sz000931", "中关村", M),
        ("鄂尔多斯（600295）股价创历史新高。", "sh600295", "鄂尔多斯", M),
    ],
)
def test_places_and_the_companies_named_after_them(text, code, anchor, expected, linking_context):
    check(text, code, anchor, expected, linking_context)


@pytest.mark.parametrize(
    ("text", "code", "anchor", "expected"),
    [
        # a company's region, county-level dealers, home province, market, market value, townships, city
        # districts: the company's business, not a place named after it
        ("招商银行区域总部落户前海。", "sh600036", "招商银行", M),
        ("海天味业县级经销商数量持续增加。", "sh603288", "海天味业", M),
        ("伊利股份县域市场渠道持续下沉。", "sh600887", "伊利股份", M),
        ("五粮液省内市场增速放缓。", "sz000858", "五粮液", M),
        ("洋河股份省内收入占比约六成。", "sz002304", "洋河股份", M),
        ("山西汾酒省外收入占比提升。", "sh600809", "山西汾酒", M),
        ("美的集团市场份额稳居第一。", "sz000333", "美的集团", M),
        ("东方财富市场份额持续提升。", "sz300059", "东方财富", M),
        ("宁德时代市值突破万亿元。", "sz300750", "宁德时代", M),
        ("中国平安乡镇网点数量增加。", "sh601318", "中国平安", M),
        ("邮储银行县域网点超过四万个。", "sh601658", "邮储银行", M),
        ("比亚迪乡村市场销量增长。", "sz002594", "比亚迪", M),
        ("海螺水泥区域龙头地位稳固。", "sh600585", "海螺水泥", M),
        ("中国中免市区免税店开业。", "sh601888", "中国中免", M),
        ("工商银行省分行行长调整。", "sh601398", "工商银行", M),
        ("格力电器市民服务中心开业。", "sz000651", "格力电器", M),
    ],
)
def test_place_words_after_a_company_that_is_no_place(text, code, anchor, expected, linking_context):
    check(text, code, anchor, expected, linking_context)


@pytest.mark.parametrize(
    ("text", "code", "anchor", "expected"),
    [
        # the banking and insurance regulator, its orders and its newspaper; the old banking regulator
        ("中国银行保险监督管理委员会上海监管局发布通知。", "sh601988", "中国银行", C),
        ("中国银行保险监督管理委员会令2021年第5号。", "sh601988", "中国银行", C),
        ("据中国银行保险报报道，多家险企下调预定利率。", "sh601988", "中国银行", C),
        ("银保监会前身为中国银行业监督管理委员会。", "sh601988", "中国银行", C),
        # associations named after a field: the interbank dealers, Shanghai's banks, building decoration, batteries
        ("中国银行间市场交易商协会发布自律规则。", "sh601988", "中国银行", C),
        ("上海银行业协会召开年会。", "sh601229", "上海银行", C),
        ("中国建筑装饰协会发布行业报告。", "sh601668", "中国建筑", C),
        ("中国动力电池产业创新联盟数据显示，10月装车量增长。", "sh600482", "中国动力", C),
        # the banks' own research arms and business, and companies acting towards an association
        ("中国银行研究院发布报告称，经济稳步复苏。", "sh601988", "中国银行", M),
        ("中国银行国际金融研究所首席研究员表示，人民币汇率将保持稳定。", "sh601988", "中国银行", M),
        ("交通银行金融研究中心发布报告称，经济稳步复苏。", "sh601328", "交通银行", M),
        ("北京银行业务收入保持增长。", "sh601169", "北京银行", M),
        ("格力电器当选中国家用电器协会副理事长单位。", "sz000651", "格力电器", M),
        ("中国建筑牵头成立建筑产业互联网联盟。", "sh601668", "中国建筑", M),
        # a national academy of the science the name ends with (building science), a body of its own; but a
        # research arm named after the company itself, or with its own field in between, is the company's
        ("中国建筑科学研究院牵头编制标准。", "sh601668", "中国建筑", C),
        ("据中国建筑科学研究院统计，绿色建筑面积持续增长。", "sh601668", "中国建筑", C),
        ("中国石化石油化工科学研究院研发的新型催化剂实现工业应用。", "sh600028", "中国石化", M),
        ("中国建筑技术中心发布装配式建筑研究成果。", "sh601668", "中国建筑", M),
    ],
)  # fmt: skip
def test_banks_and_associations(text, code, anchor, expected, linking_context):
    check(text, code, anchor, expected, linking_context)


@pytest.mark.parametrize(
    ("text", "code", "anchor", "expected"),
    [
        # the facility itself: its traffic, its terminal, its toll gates, travel through it, ports listed as ports
        ("白云机场旅客吞吐量恢复至疫情前七成。", "sh600004", "白云机场", C),
        ("白云机场T2航站楼启用新安检通道。", "sh600004", "白云机场", C),
        ("宁沪高速车流量同比增长。", "sh600377", "宁沪高速", C),
        ("中原高速收费站排起长队。", "sh600020", "中原高速", C),
        ("京沪高铁开通十周年，累计运送旅客超13亿人次。", "sh601816", "京沪高铁", C),
        ("旅客可乘坐京沪高铁往返两地。", "sh601816", "京沪高铁", C),
        ("广深铁路客运量同比下降。", "sh601333", "广深铁路", C),
        ("青岛港集装箱吞吐量同比增长8%。", "sh601298", "青岛港", C),
        ("青岛港前三季度集装箱吞吐量同比增长8%。", "sh601298", "青岛港", C),
        ("大秦铁路10月运量环比回升。", "sh601006", "大秦铁路", C),
        ("连云港港口吞吐量稳步增长。", "sh601008", "连云港", C),
        ("货轮从天津港出发驶往日本。", "sh600717", "天津港", C),
        ("宁波港、上海港、深圳港跻身全球十大港口。", "sh601018", "宁波港", C),
        ("推进宁波港、舟山港一体化发展。", "sh601018", "宁波港", C),
        ("唐山港、曹妃甸港吞吐量双双增长。", "sh601000", "唐山港", C),
        # the listed operators: results, filings, shares, fund raising, deals, dividends, their boards
        ("山东高速发布2021年业绩快报，净利润同比增长。", "sh600350", "山东高速", M),
        ("深圳机场发布2021年度业绩预告，预计亏损。", "sz000089", "深圳机场", M),
        ("白云机场披露三季报，营收同比下降。", "sh600004", "白云机场", M),
        ("京沪高铁年报显示，公司净利润下滑。", "sh601816", "京沪高铁", M),
        ("厦门空港三季度净利润同比下降。", "sh600897", "厦门空港", M),
        ("上海机场股价午后拉升。", "sh600009", "上海机场", M),
        ("重庆港股价连续三日涨停。", "sh600279", "重庆港", M),
        ("机场板块午后走强，上海机场、白云机场涨超3%。", "sh600009", "上海机场", M),
        ("上海机场、白云机场等机场股午后走强。", "sh600009", "上海机场", M),
        ("北部湾港拟募资30亿元建设新泊位。", "sz000582", "北部湾港", M),
        ("宁沪高速拟发行公司债券。", "sh600377", "宁沪高速", M),
        ("深高速拟收购环保企业股权。", "sh600548", "深高速", M),
        ("大秦铁路每股派发现金红利0.48元。", "sh601006", "大秦铁路", M),
        ("青岛港董事长苏建光表示，公司将加快智慧港口建设。", "sh601298", "青岛港", M),
        ("上海临港与多家企业签署合作协议。", "sh600848", "上海临港", M),  # a district developer, not a port
        # ordinary words and a place that publish results or win bids: the companies
        ("农产品发布2021年业绩预告，净利润预增。", "sz000061", "农产品", M),
        ("新产业发布2021年年报，营收增长。", "sz300832", "新产业", M),
        ("葛洲坝中标多个海外工程项目。", "sh600068", "葛洲坝", M),
    ],
)
def test_facility_names_and_company_acts(text, code, anchor, expected, linking_context):
    check(text, code, anchor, expected, linking_context)


@pytest.mark.parametrize(
    ("text", "code", "anchor", "expected"),
    [
        # funds the brokers' asset managers run, with a holding period in the name; the brokers themselves
        ("中信证券红利价值一年持有混合A近一年收益率超过20%。", "sh600030", "中信证券", C),
        ("国泰君安君得鑫两年持有期混合今年以来回撤较大。", "sh601211", "国泰君安", C),
        ("中信证券臻选价值成长混合A年内收益率居前。", "sh600030", "中信证券", C),
        ("中信证券旗下资管产品规模增长。", "sh600030", "中信证券", M),
        ("华泰证券研究所发布策略报告称，A股估值合理。", "sh601688", "华泰证券", M),
        # robots as a field (300024 makes them), and the company
        ("机器人产业规模持续扩大。", "sz300024", "机器人", T),
        ("工业机器人产量同比增长40%。", "sz300024", "机器人", T),
        ("机器人公告称，拟在沈阳投资建设新工厂。", "sz300024", "机器人", M),
        ("机器人（300024）早盘涨停。", "sz300024", "机器人", M),
        ("机器人宣布拟定增募资不超过30亿元。", "sz300024", "机器人", M),
        ("机器人收盘涨超5%。", "sz300024", "机器人", M),
        # farm produce, smart farming, online and offline, ordinary people; and the companies
        ("农产品批发市场价格保持平稳。", "sz000061", "农产品", C),
        ("农产品电商直播带货火热。", "sz000061", "农产品", C),
        ("农产品（000061）发布公告称，拟出售子公司股权。", "sz000061", "农产品", M),
        ("智慧农业示范区建设加快推进。", "sz000816", "智慧农业", C),
        ("智慧农业公告称，公司拟回购股份。", "sz000816", "智慧农业", M),
        ("推动线上线下融合发展。", "sz300959", "线上线下", C),
        ("要让老百姓买得起药、用得上药。", "sh603883", "老百姓", C),
        ("老百姓的获得感持续增强。", "sh603883", "老百姓", C),
        ("老百姓大药房门店数量突破8000家。", "sh603883", "老百姓", M),  # the chain's trading name
        ("老百姓、益丰药房、大参林等连锁药店股价走强。", "sh603883", "老百姓", M),
    ],
)
def test_fund_names_and_generic_words(text, code, anchor, expected, linking_context):
    check(text, code, anchor, expected, linking_context)
