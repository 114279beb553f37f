"""Who appears in the demo: the staff roster and the parts customers' names are made of.

Names come with a romanisation so email addresses stay ASCII. Domains are the reserved
example.* ones (RFC 2606) and phone numbers are random, so nothing here reaches a real person.
"""

from __future__ import annotations

from dataclasses import dataclass

# (written form, romanisation)
NamePart = tuple[str, str]

# fmt: off
SURNAMES: dict[str, list[NamePart]] = {
    "zh-Hant": [
        ("陳", "chen"), ("林", "lin"), ("黃", "huang"), ("張", "chang"), ("李", "lee"),
        ("王", "wang"), ("吳", "wu"), ("劉", "liu"), ("蔡", "tsai"), ("楊", "yang"),
        ("許", "hsu"), ("鄭", "cheng"), ("謝", "hsieh"), ("郭", "kuo"), ("洪", "hung"),
    ],
    "zh-Hans": [
        ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
        ("杨", "yang"), ("赵", "zhao"), ("黄", "huang"), ("周", "zhou"), ("吴", "wu"),
        ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("胡", "hu"),
    ],
    "ja": [
        ("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka"),
        ("伊藤", "ito"), ("渡辺", "watanabe"), ("山本", "yamamoto"), ("中村", "nakamura"),
        ("小林", "kobayashi"), ("加藤", "kato"), ("吉田", "yoshida"), ("松本", "matsumoto"),
    ],
    "id": [
        ("Santoso", "santoso"), ("Wijaya", "wijaya"), ("Saputra", "saputra"),
        ("Lestari", "lestari"), ("Hidayat", "hidayat"), ("Kurniawan", "kurniawan"),
        ("Pratama", "pratama"), ("Susanti", "susanti"), ("Nugroho", "nugroho"),
        ("Setiawan", "setiawan"), ("Permata", "permata"), ("Halim", "halim"),
    ],
    "en": [
        ("Smith", "smith"), ("Taylor", "taylor"), ("Brown", "brown"), ("Wilson", "wilson"),
        ("Clarke", "clarke"), ("Walker", "walker"), ("Wright", "wright"), ("Evans", "evans"),
        ("Hughes", "hughes"), ("Murphy", "murphy"), ("Tan", "tan"), ("Patel", "patel"),
    ],
}

GIVEN_NAMES: dict[str, list[NamePart]] = {
    "zh-Hant": [
        ("志明", "chihming"), ("淑芬", "shufen"), ("怡君", "yichun"), ("家豪", "chiahao"),
        ("雅婷", "yating"), ("俊傑", "chunchieh"), ("美玲", "meiling"), ("建宏", "chienhung"),
        ("佳穎", "chiaying"), ("宗翰", "tsunghan"), ("詩涵", "shihhan"), ("冠宇", "kuanyu"),
    ],
    "zh-Hans": [
        ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"),
        ("强", "qiang"), ("磊", "lei"), ("洋", "yang"), ("欣怡", "xinyi"), ("子轩", "zixuan"),
        ("浩然", "haoran"), ("雨涵", "yuhan"),
    ],
    "ja": [
        ("翔太", "shota"), ("陽菜", "hina"), ("大輔", "daisuke"), ("美咲", "misaki"),
        ("健一", "kenichi"), ("さくら", "sakura"), ("拓也", "takuya"), ("優子", "yuko"),
        ("直樹", "naoki"), ("彩", "aya"), ("誠", "makoto"), ("真由美", "mayumi"),
    ],
    "id": [
        ("Budi", "budi"), ("Siti", "siti"), ("Agus", "agus"), ("Dewi", "dewi"),
        ("Rizky", "rizky"), ("Putri", "putri"), ("Andi", "andi"), ("Wahyu", "wahyu"),
        ("Ayu", "ayu"), ("Fajar", "fajar"), ("Indah", "indah"), ("Dimas", "dimas"),
    ],
    "en": [
        ("James", "james"), ("Olivia", "olivia"), ("Michael", "michael"), ("Emma", "emma"),
        ("Daniel", "daniel"), ("Sophie", "sophie"), ("David", "david"), ("Grace", "grace"),
        ("Thomas", "thomas"), ("Chloe", "chloe"), ("Ryan", "ryan"), ("Hannah", "hannah"),
    ],
}

# fmt: on

# Family name first in Chinese and Japanese, given name first in Indonesian and English.
FAMILY_NAME_FIRST = frozenset({"zh-Hant", "zh-Hans", "ja"})

# (start of a mobile number with its country code, how many random digits follow)
PHONE_PREFIXES: dict[str, tuple[tuple[str, int], ...]] = {
    "zh-Hant": (("+8869", 8),),
    "zh-Hans": (("+86138", 8), ("+86139", 8), ("+86186", 8)),
    "ja": (("+8190", 8), ("+8180", 8)),
    "id": (("+62812", 8), ("+62813", 8), ("+62857", 8)),
    "en": (("+447700900", 3), ("+6591", 6), ("+61412", 6)),
}

EMAIL_DOMAINS = ("example.com", "example.net", "example.org")

# How the 200 customers spread over the five languages (weights).
LANGUAGE_WEIGHTS: dict[str, int] = {"zh-Hant": 30, "ja": 25, "zh-Hans": 15, "id": 15, "en": 15}


@dataclass(frozen=True)
class StaffMember:
    email: str
    display_name: str
    brands: tuple[str, ...]  # brand keys: "insurance", "bank"
    languages: tuple[tuple[str, str], ...]
    skills: tuple[tuple[str, int], ...]
    teams: tuple[str, ...]  # team keys
    time_zone: str
    ui_language: str


STAFF_DOMAIN = "harbour.example"
ADMIN_EMAIL = f"admin@{STAFF_DOMAIN}"
ADMIN_NAME = "Harbour Admin"
# Fixed, documented demo-only passwords: the demo is for trying Lagniappe on a laptop.
ADMIN_PASSWORD = "harbour-admin-demo"
AGENT_PASSWORD = "harbour-agent-demo"

# fmt: off
STAFF: tuple[StaffMember, ...] = (
    StaffMember(
        f"meihui.lin@{STAFF_DOMAIN}", "林美惠", ("insurance",),
        (("zh-Hant", "native"), ("en", "fluent")),
        (("claims", 5), ("policies", 4)), ("claims",), "Asia/Taipei", "zh-hant",
    ),
    StaffMember(
        f"chihming.chen@{STAFF_DOMAIN}", "陳志明", ("insurance",),
        (("zh-Hant", "native"), ("zh-Hans", "fluent")),
        (("claims", 4), ("complaints", 4)), ("claims", "complaints"), "Asia/Taipei", "zh-hant",
    ),
    StaffMember(
        f"fang.wang@{STAFF_DOMAIN}", "王芳", ("insurance", "bank"),
        (("zh-Hans", "native"), ("zh-Hant", "fluent"), ("en", "fluent")),
        (("policies", 3), ("payments", 4)), ("claims", "banking"), "Asia/Shanghai", "zh-hans",
    ),
    StaffMember(
        f"taro.yamada@{STAFF_DOMAIN}", "山田太郎", ("bank",),
        (("ja", "native"), ("en", "basic")),
        (("cards", 5), ("payments", 4)), ("banking",), "Asia/Tokyo", "ja",
    ),
    StaffMember(
        f"hanako.sato@{STAFF_DOMAIN}", "佐藤花子", ("bank", "insurance"),
        (("ja", "native"), ("zh-Hant", "basic"), ("en", "fluent")),
        (("loans", 4), ("complaints", 5)), ("banking", "complaints"), "Asia/Tokyo", "ja",
    ),
    StaffMember(
        f"siti.rahayu@{STAFF_DOMAIN}", "Siti Rahayu", ("insurance", "bank"),
        (("id", "native"), ("en", "fluent")),
        (("claims", 3), ("cards", 3)), ("claims", "banking"), "Asia/Jakarta", "id",
    ),
    StaffMember(
        f"budi.santoso@{STAFF_DOMAIN}", "Budi Santoso", ("bank",),
        (("id", "native"), ("en", "fluent"), ("ja", "basic")),
        (("loans", 3), ("payments", 3)), ("banking",), "Asia/Jakarta", "id",
    ),
    StaffMember(
        f"emily.carter@{STAFF_DOMAIN}", "Emily Carter", ("insurance", "bank"),
        (("en", "native"), ("zh-Hans", "basic"), ("id", "basic")),
        (("complaints", 5), ("policies", 3)), ("complaints",), "Asia/Singapore", "en",
    ),
)
# fmt: on
