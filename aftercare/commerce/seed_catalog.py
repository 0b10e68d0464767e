"""Reference data for the demo store: names, places, phone prefixes and the product catalogue.

Plain tuples and lists so the generator in `seeding.py` can index them cheaply in its inner loop.
Romanisations ride along with the characters so e-mail addresses look like real people's.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- People ---------------------------------------------------------------------------------

# Mainland surnames and given-name characters (Simplified) with pinyin.
HANS_SURNAMES: tuple[tuple[str, str], ...] = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
    ("杨", "yang"), ("赵", "zhao"), ("黄", "huang"), ("周", "zhou"), ("吴", "wu"),
    ("徐", "xu"), ("孙", "sun"), ("胡", "hu"), ("朱", "zhu"), ("高", "gao"),
    ("林", "lin"), ("何", "he"), ("郭", "guo"), ("马", "ma"), ("罗", "luo"),
    ("梁", "liang"), ("宋", "song"), ("郑", "zheng"), ("谢", "xie"), ("韩", "han"),
    ("唐", "tang"), ("冯", "feng"), ("于", "yu"), ("董", "dong"), ("萧", "xiao"),
    ("程", "cheng"), ("曹", "cao"), ("袁", "yuan"), ("邓", "deng"), ("许", "xu"),
    ("傅", "fu"), ("沈", "shen"), ("曾", "zeng"), ("彭", "peng"), ("吕", "lv"),
    ("欧阳", "ouyang"), ("司马", "sima"),
)  # fmt: skip
HANS_GIVEN: tuple[tuple[str, str], ...] = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"),
    ("丽", "li"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"),
    ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("娟", "juan"), ("涛", "tao"),
    ("明", "ming"), ("超", "chao"), ("秀", "xiu"), ("霞", "xia"), ("平", "ping"),
    ("刚", "gang"), ("桂", "gui"), ("英", "ying"), ("华", "hua"), ("玉", "yu"),
    ("兰", "lan"), ("梓", "zi"), ("涵", "han"), ("子", "zi"), ("轩", "xuan"),
    ("浩", "hao"), ("宇", "yu"), ("欣", "xin"), ("怡", "yi"), ("雨", "yu"),
    ("晨", "chen"), ("思", "si"), ("佳", "jia"), ("嘉", "jia"), ("博", "bo"),
    ("文", "wen"), ("婷", "ting"), ("鑫", "xin"), ("琳", "lin"), ("宁", "ning"),
    ("昊", "hao"), ("一", "yi"), ("诺", "nuo"), ("睿", "rui"), ("悦", "yue"),
)  # fmt: skip

# Hong Kong (Cantonese romanisation) and Taiwan (Wade-Giles-like) names, in Traditional script.
HK_SURNAMES: tuple[tuple[str, str], ...] = (
    ("陳", "chan"), ("李", "lee"), ("張", "cheung"), ("黃", "wong"), ("王", "wong"),
    ("林", "lam"), ("劉", "lau"), ("吳", "ng"), ("梁", "leung"), ("何", "ho"),
    ("鄭", "cheng"), ("周", "chow"), ("麥", "mak"), ("鄧", "tang"), ("馮", "fung"),
)  # fmt: skip
TW_SURNAMES: tuple[tuple[str, str], ...] = (
    ("陳", "chen"), ("林", "lin"), ("黃", "huang"), ("張", "chang"), ("李", "lee"),
    ("王", "wang"), ("吳", "wu"), ("劉", "liu"), ("蔡", "tsai"), ("楊", "yang"),
    ("許", "hsu"), ("鄭", "cheng"), ("謝", "hsieh"), ("郭", "kuo"), ("賴", "lai"),
)  # fmt: skip
HANT_GIVEN: tuple[tuple[str, str], ...] = (
    ("偉", "wai"), ("嘉", "ka"), ("欣", "yan"), ("穎", "wing"), ("詠", "wing"),
    ("俊", "chun"), ("志", "chi"), ("美", "mei"), ("雅", "nga"), ("婷", "ting"),
    ("家", "ka"), ("慧", "wai"), ("國", "kwok"), ("明", "ming"), ("華", "wah"),
    ("怡", "yi"), ("晴", "ching"), ("樂", "lok"), ("豪", "ho"), ("麗", "lai"),
)  # fmt: skip

EN_FIRST: tuple[str, ...] = (
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Susan", "Richard", "Jessica", "Thomas", "Sarah", "Daniel", "Emily",
    "Oliver", "Amelia", "George", "Olivia", "Harry", "Isla", "Jack", "Ava", "Noah", "Sophie",
    "Ethan", "Chloe", "Lucas", "Grace", "Kevin", "Wendy", "Jason", "Vivian", "Eric", "Cindy",
)  # fmt: skip
EN_LAST: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Wilson",
    "Taylor", "Anderson", "Thomas", "Moore", "Martin", "Clark", "Lewis", "Walker", "Hall",
    "Evans", "Wright", "Roberts", "Green", "Baker", "Hughes", "Edwards", "Chan", "Wong", "Lee",
)  # fmt: skip

CN_MAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "outlook.com")
HK_MAIL_DOMAINS = ("gmail.com", "yahoo.com.hk", "outlook.com", "netvigator.com")
TW_MAIL_DOMAINS = ("gmail.com", "yahoo.com.tw", "hotmail.com", "outlook.com")
EN_MAIL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "hotmail.co.uk")

# --- Phones (national significant number prefixes valid per libphonenumber) ----------------

CN_MOBILE_PREFIXES: tuple[str, ...] = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151",
    "152", "153", "155", "156", "157", "158", "159", "166", "176", "177", "178", "180",
    "181", "182", "183", "184", "185", "186", "187", "188", "189", "191", "198", "199",
)  # fmt: skip
# Three digits for Hong Kong: several two-digit blocks are only partly allocated.
HK_MOBILE_PREFIXES: tuple[str, ...] = (
    "512", "530", "546", "590", "601", "613", "628", "641", "652", "669",
    "680", "691", "902", "916", "934", "947", "952", "963", "975", "987",
)  # fmt: skip
TW_MOBILE_PREFIXES: tuple[str, ...] = ("910", "912", "921", "926", "932", "937", "955", "988")
US_AREA_CODES: tuple[str, ...] = ("212", "415", "646", "312", "206", "617", "213", "408", "718")
# Not 07700 900xxx (reserved for drama) nor 07911 (partly unallocated).
UK_MOBILE_PREFIXES: tuple[str, ...] = ("7400", "7450", "7500", "7720", "7800", "7900", "7960")

# --- Places ---------------------------------------------------------------------------------

# (region label stored on shipments, weight, districts) for mainland China; weights follow
# roughly where online orders come from.
CN_REGIONS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("广东省深圳市", 9, ("南山区", "福田区", "宝安区", "龙岗区")),
    ("广东省广州市", 8, ("天河区", "越秀区", "海珠区", "番禺区")),
    ("上海市", 9, ("浦东新区", "徐汇区", "静安区", "闵行区")),
    ("北京市", 8, ("朝阳区", "海淀区", "东城区", "丰台区")),
    ("浙江省杭州市", 7, ("西湖区", "滨江区", "余杭区", "拱墅区")),
    ("江苏省南京市", 5, ("鼓楼区", "玄武区", "江宁区")),
    ("江苏省苏州市", 5, ("姑苏区", "工业园区", "吴中区")),
    ("四川省成都市", 6, ("武侯区", "锦江区", "高新区", "成华区")),
    ("湖北省武汉市", 5, ("洪山区", "武昌区", "江汉区")),
    ("重庆市", 4, ("渝中区", "江北区", "南岸区")),
    ("陕西省西安市", 3, ("雁塔区", "碑林区", "未央区")),
    ("福建省厦门市", 3, ("思明区", "湖里区", "集美区")),
    ("山东省青岛市", 3, ("市南区", "崂山区", "黄岛区")),
    ("湖南省长沙市", 3, ("岳麓区", "天心区", "开福区")),
    ("天津市", 3, ("和平区", "南开区", "河西区")),
    ("河南省郑州市", 3, ("金水区", "二七区", "中原区")),
    ("辽宁省沈阳市", 2, ("和平区", "沈河区", "皇姑区")),
    ("云南省昆明市", 2, ("五华区", "盘龙区", "官渡区")),
    ("黑龙江省哈尔滨市", 1, ("南岗区", "道里区")),
    ("新疆维吾尔自治区乌鲁木齐市", 1, ("天山区", "沙依巴克区")),
)
CN_STREETS = ("人民路", "中山路", "解放路", "建设路", "科技园路", "长江路", "和平大道", "滨海大道")
CN_COMPOUNDS = ("阳光花园", "锦绣家园", "翠湖小区", "金色华庭", "创业大厦", "万科城")

HK_DISTRICTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("香港九龍", ("旺角彌敦道", "尖沙咀廣東道", "觀塘道")),
    ("香港港島", ("銅鑼灣軒尼詩道", "中環皇后大道中", "北角英皇道")),
    ("香港新界", ("沙田正街", "荃灣大河道", "將軍澳唐德街")),
)
TW_CITIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("台灣台北市", ("大安區忠孝東路四段", "信義區松仁路", "中山區南京東路二段")),
    ("台灣新北市", ("板橋區文化路一段", "新莊區中正路")),
    ("台灣台中市", ("西屯區台灣大道三段", "北區三民路三段")),
    ("台灣高雄市", ("苓雅區四維三路", "前鎮區中山二路")),
)
US_PLACES: tuple[tuple[str, str, str], ...] = (
    ("US-NY", "New York, NY", "10001"),
    ("US-CA", "San Francisco, CA", "94103"),
    ("US-CA", "Los Angeles, CA", "90012"),
    ("US-WA", "Seattle, WA", "98101"),
    ("US-IL", "Chicago, IL", "60601"),
    ("US-MA", "Boston, MA", "02108"),
)
UK_PLACES: tuple[tuple[str, str, str], ...] = (
    ("GB-LND", "London", "NW1 6XE"),
    ("GB-MAN", "Manchester", "M1 1AE"),
    ("GB-EDH", "Edinburgh", "EH1 1YZ"),
    ("GB-BIR", "Birmingham", "B1 1BB"),
)
EN_STREETS = ("Market St", "Baker Street", "Main St", "High Street", "Oak Avenue", "King's Road")

# Where parcels leave from: the main warehouse, a southern one, and the cross-border hub.
ORIGIN_MAIN = "浙江省杭州市"
ORIGIN_SOUTH = "广东省东莞市"
ORIGIN_CROSS_BORDER = "广东省深圳市"

# --- Products -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    """A product category and the return attributes every SKU in it carries."""

    code: str
    sku_prefix: str
    popularity: int  # relative share of order lines
    items: tuple[tuple[str, int, int], ...]  # (name, min price yuan, max price yuan)
    variants: tuple[str, ...] = ("",)
    returnable: bool = True
    return_window_days: int | None = None
    must_be_unopened: bool = False
    is_hygiene: bool = False
    is_custom_made: bool = False
    is_perishable: bool = False
    is_digital: bool = False


SIZES = ("S", "M", "L", "XL")
SHOE_SIZES = ("37", "39", "41", "43")
COLOURS = ("黑色", "白色", "灰色")

CATEGORIES: tuple[Category, ...] = (
    Category(
        "apparel", "AP", 30,
        (("纯棉圆领T恤", 59, 129), ("修身牛仔裤", 159, 399), ("羊毛针织开衫", 299, 899),
         ("轻薄羽绒服", 399, 1299), ("真丝衬衫", 299, 799), ("运动卫衣", 129, 299)),
        variants=tuple(f"{c} {s}" for c in COLOURS[:2] for s in SIZES),
        return_window_days=7,
    ),
    Category(
        "shoes", "SH", 12,
        (("轻跑运动鞋", 299, 899), ("真皮乐福鞋", 399, 1099), ("帆布休闲鞋", 129, 299)),
        variants=SHOE_SIZES,
        return_window_days=7,
    ),
    Category(
        "electronics", "EL", 14,
        (("降噪蓝牙耳机", 299, 1999), ("智能手表", 699, 2999), ("移动电源 20000mAh", 99, 249),
         ("机械键盘", 299, 899), ("4K 运动相机", 1499, 3499), ("平板电脑 11英寸", 2499, 6999)),
        variants=("", "白色", "黑色"),
        must_be_unopened=True,
    ),
    Category(
        "cosmetics", "CO", 14,
        (("保湿精华液 30ml", 199, 699), ("哑光口红", 129, 359), ("防晒乳 SPF50", 99, 259),
         ("洁面乳", 59, 149), ("香水 50ml", 399, 1099)),
        must_be_unopened=True,
        is_hygiene=True,
    ),
    Category(
        "personal_care", "PC", 8,
        (("电动牙刷", 199, 699), ("剃须刀", 299, 999), ("洗发水 500ml", 49, 119)),
        must_be_unopened=True,
        is_hygiene=True,
    ),
    Category(
        "custom", "CU", 3,
        (("刻字保温杯", 129, 259), ("定制刻字钢笔", 299, 999), ("刻名皮质钱包", 199, 599)),
        returnable=False,
        is_custom_made=True,
    ),
    Category(
        "fresh_food", "FF", 7,
        (("阳澄湖大闸蟹礼盒", 299, 899), ("智利车厘子 2kg", 199, 399), ("有机草莓 1kg", 69, 139),
         ("鲜切牛排套装", 199, 499)),
        is_perishable=True,
    ),
    Category(
        "gift_card", "GC", 3,
        (("电子礼品卡 ¥100", 100, 100), ("电子礼品卡 ¥200", 200, 200),
         ("电子礼品卡 ¥500", 500, 500)),
        is_digital=True,
    ),
    Category(
        "home", "HM", 9,
        (("四件套床品", 299, 899), ("香薰蜡烛", 59, 159), ("陶瓷餐具套装", 199, 599),
         ("记忆棉枕头", 129, 399)),
        variants=("", "米色", "灰色"),
        return_window_days=15,
    ),
)  # fmt: skip
