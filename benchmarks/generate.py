#!/usr/bin/env python3
"""Generate a synthetic netkb knowledge base: people, organisations and interactions.

    python benchmarks/generate.py OUT_DIR --people 10000 [--logs 20000] [--seed 1]

The output depends only on (people, logs, seed): one seeded ``random.Random``
makes every choice, dates are fixed relative to TODAY, and no set or hash order
reaches the output. Every reference it writes (``introduced_by``, ``relations``,
a log's ``with``, wikilinks) names a generated person, so ``netkb check`` on the
result should find no errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import random
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

TODAY = dt.date(2026, 11, 26)
LOG_DAYS = 730  # interactions fall in the two years before TODAY
MAX_SLUG = 80


def _mkdocs_yml(site_name: str) -> str:
    """The mkdocs.yml that ``netkb init`` writes, so a bare ``mkdocs build`` matches netkb's."""
    from netkb.edit.scaffold import kb_files

    config = kb_files("Bench Owner")["mkdocs.yml"]
    return config.replace('"Bench Owner\'s network"', json.dumps(site_name), 1)


def _words(text: str) -> tuple[str, ...]:
    """Split a word pool; ``_`` stands for a space inside one entry (``De_Luca``)."""
    return tuple(unicodedata.normalize("NFC", w.replace("_", " ")) for w in text.split())


# ---------------------------------------------------------------------------
# Word pools


@dataclass(frozen=True)
class Culture:
    """Names of one language area. CJK entries carry their romanisation: ``王=Wang``."""

    weight: int
    given: tuple[str, ...]
    family: tuple[str, ...]
    cities: tuple[str, ...]
    phones: tuple[str, ...]  # patterns; each # becomes a digit
    family_first: bool = False
    joiner: str = " "
    script: str = "latin"  # latin, cjk or cyrillic: decides the romanised alias


_RU_FAMILY = _words(
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров "
    "Морозов Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Орлов"
)
_RU_CITIES = _words("Москва Санкт-Петербург Новосибирск Berlin Tbilisi Yerevan")
_RU_PHONES = ("+7 495 ###-##-##", "+7 812 ###-##-##", "+995 32 2## ## ##")

CULTURES: tuple[Culture, ...] = (
    Culture(
        weight=24,
        given=_words(
            "James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David "
            "Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa "
            "Daniel Nancy Matthew Betty Anthony Margaret Mark Sandra Donald Ashley Steven "
            "Kimberly Paul Emily Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian "
            "Dorothy George Melissa Timothy Deborah Ronald Stephanie Edward Rebecca Jason Sharon "
            "Jeffrey Laura Ryan Cynthia Jacob Kathleen Gary Amy Nicholas Angela Eric Shirley "
            "Jonathan Anna Stephen Brenda Justin Emma Scott Nicole Benjamin Helen Samuel "
            "Katherine Gregory Rachel Patrick Catherine Alexander Heather Frank Diane"
        ),
        family=_words(
            "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Thomas Taylor "
            "Moore Jackson Martin Lee Thompson White Harris Clark Lewis Robinson Walker Young "
            "Allen King Wright Scott Hill Green Adams Nelson Baker Hall Campbell Mitchell Carter "
            "Roberts O'Brien O'Connor McAllister Fitzgerald Murphy Kelly Sullivan Walsh Byrne "
            "Doyle Turner Phillips Parker Evans Edwards Collins Stewart Morris Rogers Reed Cook "
            "Morgan Bell Cooper Richardson Cox Howard Ward Peterson Gray Watson Brooks Bennett "
            "Wood Barnes Ross Henderson Coleman Jenkins Perry Powell Long Patterson Hughes "
            "Foster Sanders Price Butler Russell Griffin Hayes Myers Ford Graham Wallace"
        ),
        cities=_words(
            "London New_York Boston Toronto Sydney Dublin Manchester San_Francisco Chicago "
            "Seattle Edinburgh Austin Melbourne Vancouver"
        ),
        phones=("+1 415 555 ####", "+44 20 7946 ####", "+1 212 555 ####", "+61 2 9### ####"),
    ),
    Culture(
        weight=12,
        given=_words(
            "Jürgen Jörg Günter Björn Sören Uwe Dieter Klaus Stefan Andreas Matthias Tobias "
            "Lukas Jonas Felix Maximilian Katrin Anja Sabine Ute Jutta Birgit Käthe Lena Hannah "
            "Johanna Marlene Charlotte Frieda Änne Sophie Greta Heike Dörte Malte Timo Florian "
            "Ulrike Wolfgang Gisela"
        ),
        family=_words(
            "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer "
            "Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger "
            "Hofmann Hartmann Lange Schmitt Werner Krause Meier Lehmann Köhler Weiß Groß Jäger "
            "Vogt Böhm Fuchs Kühn Dürr Oßwald von_der_Heydt Strauß"
        ),
        cities=_words("Berlin München Hamburg Köln Zürich Wien Düsseldorf Frankfurt_am_Main"),
        phones=("+49 30 #######", "+49 89 ########", "+41 44 ### ## ##", "+43 1 #######"),
    ),
    Culture(
        weight=8,
        given=_words(
            "Élodie Hélène Françoise François Jérôme Benoît Loïc Gaëlle Noémie Anaïs Clément "
            "Amélie Cécile Stéphane Théo Léa Chloé Zoé Maël Inès Louis Hugo Juliette Camille "
            "Étienne Joël Agnès Renée Aurélien Mathéo Jean-Luc Marie-Claire"
        ),
        family=_words(
            "Lefèvre Dubois Lefebvre Moreau Laurent Girard Bonnet Dupont Lambert Fontaine "
            "Rousseau Vincent Mercier Blanc Guérin Faure André Gauthier Perrin Roussel Boucher "
            "Chevalier Lemaître Bérenger Côté Gagné Bélanger Tremblay Le_Goff Dubois-Crancé"
        ),
        cities=_words("Paris Lyon Montréal Genève Bordeaux Toulouse Bruxelles Québec"),
        phones=("+33 1 ## ## ## ##", "+33 6 ## ## ## ##", "+32 2 ### ## ##", "+1 514 555 ####"),
    ),
    Culture(
        weight=10,
        given=_words(
            "José María Jesús Ángel Sofía Lucía Martín Álvaro Adrián Inés Mónica Raúl Óscar "
            "Julián Begoña Nuria João Conceição Gonçalo Tomás Leonor Beatriz Sebastián Camila "
            "Valentina Matías Joaquín Ximena María_José Juan_Pablo"
        ),
        family=_words(
            "García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Martín "
            "Jiménez Ruiz Hernández Díaz Moreno Muñoz Álvarez Romero Navarro Núñez Ibáñez Peña "
            "Gonçalves Araújo Magalhães Simões Assunção Oliveira Azevedo García_Núñez "
            "de_la_Fuente"
        ),
        cities=_words(
            "Madrid Barcelona São_Paulo Lisboa Ciudad_de_México Bogotá Buenos_Aires Málaga Porto"
        ),
        phones=("+34 91 ### ## ##", "+351 21 ### ####", "+55 11 9####-####", "+52 55 #### ####"),
    ),
    Culture(
        weight=5,
        given=_words(
            "Søren Bjørn Åsa Björk Sigríður Þóra Jón Guðrún Ingrid Astrid Linnéa Mårten Jörgen "
            "Åke Signe Freja Mads Magnus Sverre Tove Liv Øystein Ragnhild Eirik Kjell Aino Jussi "
            "Päivi Mikko"
        ),
        family=_words(
            "Andersen Nielsen Hansen Johansson Lindqvist Bergström Åberg Öhman Sjöberg "
            "Østergaard Haugland Sørensen Jørgensen Sigurðsson Guðmundsdóttir Þórsson Virtanen "
            "Mäkinen Järvinen Korhonen Nyström Lundgren Dahl Strand"
        ),
        cities=_words("Stockholm København Oslo Helsinki Göteborg Reykjavík Malmö Aarhus Tromsø"),
        phones=("+46 8 ### ### ##", "+45 ## ## ## ##", "+47 ### ## ###", "+358 9 #### ####"),
    ),
    Culture(
        weight=5,
        given=_words(
            "Łukasz Wojciech Małgorzata Agnieszka Katarzyna Paweł Michał Krzysztof Grzegorz "
            "Joanna Zuzanna Jiří Tomáš Lukáš Petra Jana Kateřina Ondřej Václav Zdeněk Radek Věra "
            "Bożena Jędrzej Szymon"
        ),
        family=_words(
            "Nowak Kowalczyk Wiśniewski Wójcik Kamiński Lewandowski Zieliński Szymański "
            "Dąbrowski Woźniak Kozłowski Mazur Krawczyk Dvořák Novák Svoboda Černý Procházka "
            "Kučera Veselý Horák Němec Pokorný Růžička Šimek Bartoš Hájek"
        ),
        cities=_words("Warszawa Kraków Łódź Praha Brno Wrocław Gdańsk Poznań"),
        phones=("+48 22 ### ## ##", "+48 6## ### ###", "+420 2## ### ###"),
    ),
    Culture(
        weight=4,
        given=_words(
            "Çağla Gökhan Şule İlkay Ömer Ayşe Fatma Emre Burak Özge Elif Büşra Cem Deniz Serkan "
            "Gülşen Tuğba Oğuz Barış Yağmur"
        ),
        family=_words(
            "Öztürk Şahin Yılmaz Kaya Demir Çelik Yıldız Aydın Özdemir Arslan Doğan Kılıç Aslan "
            "Çetin Kara Koç Kurt Özkan Şimşek Polat"
        ),
        cities=_words("İstanbul Ankara İzmir Bursa Antalya"),
        phones=("+90 212 ### ## ##", "+90 5## ### ## ##"),
    ),
    Culture(
        weight=5,
        given=_words(
            "Giuseppe Giovanni Antonio Mario Luca Francesco Alessandro Andrea Marco Matteo "
            "Lorenzo Niccolò Giulia Chiara Francesca Federica Sara Martina Elisa Beatrice Ilaria "
            "Paola Simona Gianluca"
        ),
        family=_words(
            "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo "
            "Conti De_Luca Mancini Costa Giordano Rizzo Lombardi Moretti Barbieri Fontana Santoro "
            "Mariani Rinaldi D'Angelo Caruso Ferrara Galli"
        ),
        cities=_words("Milano Roma Torino Napoli Bologna Firenze"),
        phones=("+39 02 #### ####", "+39 06 #### ####", "+39 3## ### ####"),
    ),
    Culture(
        weight=8,
        given=_words(
            "Aarav Vihaan Arjun Rohan Aditya Priya Ananya Diya Kavya Ishaan Sanjay Rahul Vikram "
            "Deepika Lakshmi Meera Nikhil Pooja Rajesh Sunita Anil Kiran Neha Arun Shreya Venkat "
            "Harpreet Gurpreet"
        ),
        family=_words(
            "Sharma Verma Gupta Patel Reddy Iyer Nair Menon Rao Singh Kumar Mehta Shah Joshi "
            "Desai Chatterjee Banerjee Mukherjee Pillai Krishnan Agarwal Bose Kapoor Malhotra "
            "Chopra Gill Sandhu"
        ),
        cities=_words("Bengaluru Mumbai Delhi Pune Hyderabad Chennai London Singapore"),
        phones=("+91 80 #### ####", "+91 22 #### ####", "+91 9#### #####"),
    ),
    Culture(
        weight=4,
        given=_words(
            "Ahmed Mohamed Omar Youssef Khaled Hassan Karim Tariq Samir Nadia Fatima Layla "
            "Yasmin Amira Rania Salma Hana Leila Mariam Zainab Rami Faisal Nour Hussein Walid"
        ),
        family=_words(
            "Al-Sayed El-Masri Haddad Khalil Nasser Saleh Mansour Hamdan Aziz Farouk Darwish "
            "Khoury Bakr Qasim Rahman Abdullah Ibrahim Suleiman Jaber Al-Amin Bitar Sabbagh Najjar"
        ),
        cities=_words("Dubai Abu_Dhabi Riyadh Cairo Amman Doha Casablanca Beirut"),
        phones=("+971 4 ### ####", "+20 2 #### ####", "+962 6 ### ####"),
    ),
    Culture(
        weight=3,
        given=_words(
            "Thị_Minh_Anh Văn_Hùng Thị_Lan Minh_Tuấn Quốc_Bảo Thu_Hà Ngọc_Ánh Đức_Thắng "
            "Thanh_Hương Hoàng_Long Phương_Linh Văn_Đức Thị_Hồng Minh_Châu Gia_Huy"
        ),
        family=_words("Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý"),
        cities=_words("Hà_Nội Thành_phố_Hồ_Chí_Minh Đà_Nẵng Singapore Paris"),
        phones=("+84 24 #### ####", "+84 9# ### ## ##"),
        family_first=True,
    ),
    Culture(
        weight=6,
        given=_words(
            "伟=Wei 芳=Fang 娜=Na 敏=Min 静=Jing 丽=Li 强=Qiang 磊=Lei 军=Jun 洋=Yang 勇=Yong "
            "艳=Yan 杰=Jie 娟=Juan 涛=Tao 明=Ming 超=Chao 秀英=Xiuying 霞=Xia 平=Ping "
            "建华=Jianhua 晓明=Xiaoming 子涵=Zihan 欣怡=Xinyi 浩然=Haoran 雨桐=Yutong "
            "宇轩=Yuxuan 思远=Siyuan"
        ),
        family=_words(
            "王=Wang 李=Li 张=Zhang 刘=Liu 陈=Chen 杨=Yang 黄=Huang 赵=Zhao 吴=Wu 周=Zhou "
            "徐=Xu 孙=Sun 马=Ma 朱=Zhu 胡=Hu 郭=Guo 何=He 林=Lin 高=Gao 罗=Luo"
        ),
        cities=_words("北京 上海 深圳 杭州 Singapore Hong_Kong 台北"),
        phones=("+86 10 #### ####", "+86 21 #### ####", "+86 13# #### ####", "+65 6### ####"),
        family_first=True,
        joiner="",
        script="cjk",
    ),
    Culture(
        weight=3,
        given=_words(
            "太郎=Taro 花子=Hanako 健=Ken 翔=Sho 陽菜=Hina 結衣=Yui 大輔=Daisuke 美咲=Misaki "
            "拓也=Takuya 直樹=Naoki 由美=Yumi 健太=Kenta 愛=Ai 蓮=Ren さくら=Sakura 恵子=Keiko "
            "誠=Makoto 裕子=Yuko 大翔=Hiroto 悠真=Yuma 葵=Aoi 陽翔=Haruto 凛=Rin 湊=Minato "
            "芽依=Mei 海斗=Kaito"
        ),
        family=_words(
            "佐藤=Sato 鈴木=Suzuki 高橋=Takahashi 田中=Tanaka 伊藤=Ito 渡辺=Watanabe "
            "山本=Yamamoto 中村=Nakamura 小林=Kobayashi 加藤=Kato 吉田=Yoshida 山田=Yamada "
            "佐々木=Sasaki 松本=Matsumoto 井上=Inoue"
        ),
        cities=_words("東京 大阪 京都 横浜 Tokyo"),
        phones=("+81 3-####-####", "+81 6-####-####", "+81 90-####-####"),
        family_first=True,
        joiner=" ",
        script="cjk",
    ),
    Culture(
        weight=2,
        given=_words(
            "민준=Minjun 서연=Seoyeon 지훈=Jihun 하은=Haeun 도윤=Doyun 수빈=Subin 예준=Yejun "
            "지민=Jimin 현우=Hyunwoo 지우=Jiwoo 서준=Seojun 유진=Yujin 은지=Eunji 성민=Sungmin "
            "수아=Sua 지호=Jiho 다은=Daeun 준서=Junseo 채원=Chaewon 태윤=Taeyun"
        ),
        family=_words(
            "김=Kim 이=Lee 박=Park 최=Choi 정=Jung 강=Kang 조=Cho 윤=Yoon 장=Jang 임=Lim"
        ),
        cities=_words("서울 부산 Seoul 인천"),
        phones=("+82 2-####-####", "+82 10-####-####"),
        family_first=True,
        joiner="",
        script="cjk",
    ),
    Culture(
        weight=2,
        given=_words(
            "Алексей Дмитрий Сергей Иван Михаил Андрей Павел Николай Владимир Артём Егор Максим "
            "Юрий Олег Фёдор"
        ),
        family=_RU_FAMILY,
        cities=_RU_CITIES,
        phones=_RU_PHONES,
        script="cyrillic",
    ),
    Culture(
        weight=2,
        given=_words(
            "Анна Мария Ольга Наталья Екатерина Юлия Татьяна Елена Ирина Светлана Дарья Ксения "
            "Алёна Полина Вера"
        ),
        family=tuple(f"{name}а" for name in _RU_FAMILY),
        cities=_RU_CITIES,
        phones=_RU_PHONES,
        script="cyrillic",
    ),
)

INITIALS = "ABCDEFGHIJKLMNOPRSTVW"
NICKNAMES = {
    "Katherine": "Kate",
    "Catherine": "Cathy",
    "Elizabeth": "Liz",
    "William": "Bill",
    "Robert": "Bob",
    "Michael": "Mike",
    "Christopher": "Chris",
    "Jennifer": "Jen",
    "Margaret": "Peggy",
    "Jonathan": "Jon",
    "Nicholas": "Nick",
    "Alexander": "Sasha",
    "Maximilian": "Max",
    "Johanna": "Jo",
    "Francesco": "Cesco",
    "Giuseppe": "Beppe",
    "Алексей": "Лёша",
    "Екатерина": "Катя",
}

ORG_PREFIXES = _words(
    "Acme Nordlicht Lumière Zenith Blue_Harbor Northwind Redwood Silverline Bright_Path "
    "Helvetia Kestrel Meridian Oakridge Polaris Quantum Riverstone Sapphire Tidewater Umbra "
    "Vertex Windrose Alpenblick Østersø Ébène Fjordlys Sakura Tanuki Boreal Cobalt Delta "
    "Evergreen Falcon Granite Harbourview Ironbridge Juniper Kairos Lighthouse Mistral Nimbus "
    "Orchard Pinnacle Quill Rosewood Summit Tessellate Upland Verdant Westgate Yellowstone "
    "Zephyr Aurora Basalt Cedar Dunmore Elmstead Fernhill Gallant Hawthorn Isarwerk"
)
ORG_INDUSTRIES = _words(
    "Analytics Robotics Capital Health Logistics Energy Labs Media Foods Systems Bank "
    "Consulting Partners Ventures Software Pharma Insurance Motors Studios Biotech Holdings "
    "Networks Materials Advisory Retail"
)
ORG_LEGAL = _words("GmbH AG Inc. Ltd SA AB Oy BV LLC S.r.l. SE KG")
# Organisations whose names need care: accents, ampersands, non-Latin scripts.
SPECIAL_ORGS: tuple[tuple[str, str | None], ...] = (
    ("Müller & Söhne GmbH", None),
    ("Société Générale des Données", None),
    ("Technische Universität München", None),
    ("東京データ株式会社", "tokyo-data"),
    ("ООО Северный Ветер", None),
    ("Łódź Software House", None),
    ("Universidade de São Paulo", None),
    ("北京云计算有限公司", "beijing-cloud-computing"),
    ("Øresund Logistik AB", None),
    ("Café Nœud SARL", None),
    ("Université de Genève", None),
    ("삼성 바이오 연구소", "samsung-bio-research"),
)

ROLES = _words(
    "Software_Engineer Senior_Software_Engineer Data_Scientist Product_Manager Designer "
    "UX_Researcher Engineering_Manager Sales_Director Account_Executive Recruiter Consultant "
    "Partner Professor Researcher Analyst Investor Journalist Lawyer Tax_Advisor "
    "Head_of_Marketing Head_of_People Operations_Lead Architect Directrice_Générale "
    "Geschäftsführerin Doctoral_Student Freelancer Board_Member"
)
EXECUTIVE_ROLES = _words("CEO CTO CFO COO VP_Engineering VP_Sales Founder Managing_Director")
TAGS = _words(
    "golf alumni board investor hiring conference neighbour client supplier press "
    "open-source ex-colleague mentor-circle speaker family-friend rotary"
)
EXPERTISE = _words(
    "machine_learning hiring supply_chain tax_law M&A Kubernetes UX_research C++ "
    "fundraising negotiation compliance embedded_systems pricing brand_strategy "
    "data_engineering public_speaking real_estate cybersecurity biostatistics Go "
    "distributed_systems SAP change_management"
)
INTERESTS = _words(
    "sailing jazz golf cycling chess cooking wine running photography opera skiing "
    "climbing Ölmalerei poetry football tennis gardening birdwatching history "
    "board_games K-pop"
)
QUALITIES = _words(
    "generous connector reliable candid curious discreet well-connected patient funny "
    "strategic pragmatic detail-oriented warm direct"
)
EVENTS = _words(
    "PyCon_Berlin Web_Summit_Lisbon Slush_Helsinki Davos a_friend's_wedding the_golf_club "
    "Rotary_Club_Zürich ETH_alumni_evening a_founders'_dinner re:Invent the_school_gate "
    "a_board_meeting Hacker_News_meetup the_Frankfurt_Book_Fair MWC_Barcelona"
)
TOPICS = _words(
    "hiring the_Berlin_office a_board_seat the_next_funding_round remote_work pricing "
    "the_merger a_PhD a_new_role a_joint_venture open_source a_conference_talk "
    "moving_to_Lisbon the_reorg succession_planning"
)
MONTHS = _words("January February March April May June July August September October November")
RELATION_KINDS = ("reports_to", "manages", "mentor", "mentee", "colleague", "friend", "knows")
RELATION_WEIGHTS = (18, 10, 6, 6, 25, 15, 20)
WITHIN_ORGANISATION = frozenset({"reports_to", "manages", "colleague"})
# Directed relations point from junior to senior (reports_to, mentor: "x is my mentor")
# or senior to junior; ordering by rank keeps them acyclic and never contradictory.
TOWARDS_SENIOR = {"reports_to": True, "mentor": True, "manages": False, "mentee": False}
INVERSE = {"reports_to": "manages", "manages": "reports_to", "mentor": "mentee", "mentee": "mentor"}
LOG_KIND_WEIGHTS = {  # kind: relative frequency
    "lunch": 14,
    "coffee": 18,
    "call": 20,
    "meeting": 15,
    "event": 6,
    "golf": 3,
    "email": 10,
    "message": 10,
    "intro": 3,
    "other": 1,
}
MINUTES = {
    "lunch": (60, 120),
    "coffee": (20, 60),
    "call": (10, 60),
    "meeting": (30, 90),
    "event": (60, 240),
    "golf": (180, 300),
    "email": (5, 20),
    "message": (1, 10),
    "intro": (10, 30),
    "other": (15, 60),
}
CADENCE_AMOUNTS = {
    "d": (7, 10, 14, 21, 30, 45, 60, 90),
    "w": (1, 2, 3, 4, 6, 8),
    "m": (1, 2, 3, 6, 9),
    "y": (1, 2),
}
CIRCLE_WEIGHTS = (2, 10, 28, 35, 25)  # circle 1 … 5
LOG_WEIGHT_BY_CIRCLE = {1: 20.0, 2: 8.0, 3: 3.0, 4: 1.0, 5: 0.3}
EXTRA_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("pronouns", ("she/her", "he/him", "they/them")),
    ("favourite_restaurant", ("Chez Panisse", "Borchardt", "Kronenhalle", "Noma", "Sukiyabashi")),
    ("dietary", ("vegetarian", "vegan", "no pork", "gluten-free", "kosher")),
    ("timezone", ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/Lisbon")),
    ("twitter", ("@handle", "@jd_writes", "@quantum_cat")),
    ("languages", ("German", "English", "French", "Mandarin", "Spanish", "Русский")),
)

# ---------------------------------------------------------------------------
# Slugs

_CYRILLIC = dict(zip("абвгдезийклмнопрстуфыэ", "abvgdeziyklmnoprstufye", strict=True))
_ASCII_FOLD = str.maketrans(
    _CYRILLIC
    | {"ъ": "", "ь": "", "ё": "yo", "ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh"}
    | {"щ": "shch", "ю": "yu", "я": "ya", "ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "đ": "d"}
    | {"ł": "l", "þ": "th", "ð": "d", "ı": "i", "'": "", "’": ""}
)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """ASCII slug ``[a-z0-9-]`` of Latin or Cyrillic text (Zoë Müller → zoe-muller)."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_ASCII_FOLD))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", ascii_text).strip("-")


class SlugRegistry:
    """Hands out slugs unique across the whole KB, adding -2, -3 … on collision."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def claim(self, text: str) -> str:
        """Return a fresh slug for ``text`` (already-romanised text) and reserve it."""
        base = slugify(text)[:MAX_SLUG].strip("-") or "record"
        slug, number = base, 1
        while slug in self._taken:
            number += 1
            suffix = f"-{number}"
            slug = base[: MAX_SLUG - len(suffix)].rstrip("-") + suffix
        self._taken.add(slug)
        return slug


# ---------------------------------------------------------------------------
# The network in memory


@dataclass(eq=False)  # compared by identity: members and relations point back and forth
class Organisation:
    """An employer; only some get a file under orgs/."""

    name: str
    slug: str
    aliases: list[str] = field(default_factory=list)
    has_file: bool = False
    members: list[Person] = field(default_factory=list)


@dataclass(eq=False)
class Person:
    """A person as generated: identity first, everything else is drawn when writing."""

    index: int
    name: str
    slug: str
    given: str
    romanised_given: str
    romanised_family: str
    culture: Culture
    organisation: Organisation | None
    rank: float  # seniority: lower is more senior
    circle: int = 5
    aliases: list[str] = field(default_factory=list)
    relations: dict[str, list[Person]] = field(default_factory=dict)
    introduced_by: Person | None = None


@dataclass
class Network:
    """Everything generated, plus the lookups that keep references valid."""

    people: list[Person]
    organisations: list[Organisation]
    unique_names: set[str]  # loose names safe to use as [[Full Name]]
    emails: set[str] = field(default_factory=set)
    namesakes: dict[str, list[str]] | None = None  # slug → others of that name (built once)


def loose_name(name: str) -> str:
    """A name with accents, case, dots and spacing ignored (Zoë  Müller = zoe muller)."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return " ".join(bare.casefold().replace(".", " ").split())


def _same_person_key(name: str, organisation: Organisation | None) -> tuple[str, str, str]:
    """First and last word of the loose name, per employer: Jane A. Doe ~ Jane B. Doe ~ Jane Doe.

    Two people with the same key would look like one person entered twice.
    """
    words = loose_name(name).split()
    return words[0], words[-1], organisation.slug if organisation else ""


def _split_entry(entry: str) -> tuple[str, str]:
    """``王=Wang`` → (王, Wang); ``Müller`` → (Müller, Müller)."""
    written, _, romanised = entry.partition("=")
    return written, romanised or written


def _draw_name(rng: random.Random, culture: Culture) -> tuple[str, str, str, str]:
    """Return (full name, given name, romanised given, romanised family)."""
    given, given_roman = _split_entry(rng.choice(culture.given))
    family, family_roman = _split_entry(rng.choice(culture.family))
    if culture.family_first:
        return culture.joiner.join((family, given)), given, given_roman, family_roman
    if culture.script == "latin" and rng.random() < 0.25:
        return f"{given} {rng.choice(INITIALS)}. {family}", given, given_roman, family_roman
    return f"{given} {family}", given, given_roman, family_roman


def _zipf_cum_weights(count: int, exponent: float = 0.8) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + 1) ** exponent for rank in range(count)))


def make_organisations(rng: random.Random, count: int, slugs: SlugRegistry) -> list[Organisation]:
    """Create ``count`` organisations with unique names; every tenth is a tricky one."""
    organisations: list[Organisation] = []
    seen: set[str] = set()
    specials = iter(SPECIAL_ORGS)
    for number in range(count):
        special = next(specials, None) if number % 10 == 3 else None
        if special is not None:
            name, slug_text = special
        else:
            name, slug_text = _draw_org_name(rng, seen), None
        seen.add(name.casefold())
        slug = slugs.claim(slug_text or name)
        organisations.append(Organisation(name=name, slug=slug, has_file=rng.random() < 0.6))
    for organisation in organisations:
        words = [w for w in slugify(organisation.name).split("-") if w]
        acronym = "".join(w[0] for w in words).upper()
        if len(acronym) >= 3 and acronym.casefold() not in seen and rng.random() < 0.3:
            seen.add(acronym.casefold())
            organisation.aliases.append(acronym)
    return organisations


def _draw_org_name(rng: random.Random, seen: set[str]) -> str:
    while True:
        name = f"{rng.choice(ORG_PREFIXES)} {rng.choice(ORG_INDUSTRIES)}"
        if rng.random() < 0.4:
            name = f"{name} {rng.choice(ORG_LEGAL)}"
        if name.casefold() not in seen:
            return name


def make_people(
    rng: random.Random, count: int, organisations: list[Organisation], slugs: SlugRegistry
) -> list[Person]:
    """Create people; a name repeats only across different organisations."""
    culture_weights = list(itertools.accumulate(c.weight for c in CULTURES))
    org_weights = _zipf_cum_weights(len(organisations))
    taken: set[tuple[str, str, str]] = set()
    people: list[Person] = []

    def draw_organisation() -> Organisation | None:
        if not organisations or rng.random() < 0.12:
            return None
        return rng.choices(organisations, cum_weights=org_weights)[0]

    for index in range(count):
        culture = rng.choices(CULTURES, cum_weights=culture_weights)[0]
        organisation = draw_organisation()
        for attempt in itertools.count():
            if attempt > 10_000:
                raise ValueError(f"too many people for the name pools ({count})")
            name, given, given_roman, family_roman = _draw_name(rng, culture)
            key = _same_person_key(name, organisation)
            if key not in taken:
                break
            if attempt % 5 == 4:  # this name is common here: try another employer
                organisation = draw_organisation()
        taken.add(key)
        romanised = f"{family_roman} {given_roman}" if culture.family_first else name
        person = Person(
            index=index,
            name=name,
            slug=slugs.claim(romanised),
            given=given,
            romanised_given=given_roman,
            romanised_family=family_roman,
            culture=culture,
            organisation=organisation,
            rank=rng.random(),
        )
        person.circle = rng.choices(range(1, 6), weights=CIRCLE_WEIGHTS)[0]
        person.aliases = _draw_aliases(rng, person)
        if organisation is not None:
            organisation.members.append(person)
        people.append(person)
    return people


def _draw_aliases(rng: random.Random, person: Person) -> list[str]:
    """Nicknames and initials; most CJK and Cyrillic names also get a romanised alias."""
    script = person.culture.script
    if rng.random() >= (0.6 if script != "latin" else 0.12):
        return []
    aliases = [NICKNAMES[person.given]] if person.given in NICKNAMES else []
    if script == "cjk":
        aliases.append(f"{person.romanised_given} {person.romanised_family}")
    elif script == "cyrillic":
        aliases.append(slugify(person.name).replace("-", " ").title())
    elif not aliases:
        aliases.append(f"{person.given[0]}. {person.romanised_family}")
    return aliases


def add_relations(rng: random.Random, people: list[Person]) -> None:
    """Give people typed relations: never to themselves, at most one per pair."""
    linked: set[tuple[int, int]] = set()
    for person in people:
        for _ in range(rng.choices(range(5), weights=(35, 30, 20, 10, 5))[0]):
            kind = rng.choices(RELATION_KINDS, weights=RELATION_WEIGHTS)[0]
            colleagues = person.organisation.members if person.organisation else []
            if kind in WITHIN_ORGANISATION and len(colleagues) > 1:
                target = rng.choice(colleagues)
            else:
                if kind in WITHIN_ORGANISATION:
                    kind = "knows"
                target = rng.choice(people)
            pair = (min(person.index, target.index), max(person.index, target.index))
            if target is person or pair in linked:
                continue
            if kind in TOWARDS_SENIOR and TOWARDS_SENIOR[kind] != (target.rank < person.rank):
                kind = INVERSE[kind]
            linked.add(pair)
            person.relations.setdefault(kind, []).append(target)
    for person in people:
        if len(people) > 1 and rng.random() < 0.2:
            introducer = rng.choice(people)
            if introducer is not person:
                person.introduced_by = introducer


def unique_names(people: list[Person], organisations: list[Organisation]) -> set[str]:
    """Loose names of people that no other person or organisation uses as name or alias."""
    counts: dict[str, int] = {}
    labels = [n for p in people for n in (p.name, *p.aliases)]
    labels += [n for o in organisations for n in (o.name, *o.aliases)]
    for label in labels:
        key = loose_name(label)
        counts[key] = counts.get(key, 0) + 1
    return {loose_name(p.name) for p in people if counts[loose_name(p.name)] == 1}


# ---------------------------------------------------------------------------
# YAML front matter


class Quoted(str):
    """A string always written in double quotes (phones, summaries, --MM-DD birthdays)."""


class Block(list):  # type: ignore[type-arg]
    """A list written one item per line (``- item``) instead of ``[a, b]``."""


_PLAIN_TEXT = re.compile(r"[^\W\d_][\w.'’-]*(?: [\w.'’-]+)*")
_PLAIN_TOKEN = re.compile(r"https?://[\w./~-]+|[a-z0-9._+-]+@[a-z0-9.-]+|\d+[dwmy]")
_YAML_WORDS = frozenset(("yes", "no", "on", "off", "true", "false", "null", "y", "n"))


def scalar(value: object) -> str:
    """One YAML scalar, plain when that reads back as the same string, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    plain = _PLAIN_TEXT.fullmatch(text) or _PLAIN_TOKEN.fullmatch(text)
    if plain and not isinstance(value, Quoted) and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)  # JSON strings are YAML double-quoted strings


def front_matter(fields: list[tuple[str, object]]) -> str:
    """Render ``fields`` as a ``---`` delimited YAML block."""
    lines = ["---"]
    for key, value in fields:
        if isinstance(value, dict):
            lines.append(f"{key}:")
            lines.extend(f"  {kind}: [{', '.join(map(scalar, v))}]" for kind, v in value.items())
        elif isinstance(value, Block):
            lines.append(f"{key}:")
            lines.extend(f"  - {scalar(item)}" for item in value)
        elif isinstance(value, list):
            lines.append(f"{key}: [{', '.join(map(scalar, value))}]")
        else:
            lines.append(f"{key}: {scalar(value)}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def _some(rng: random.Random, pool: tuple[str, ...], low: int, high: int) -> object:
    """A list of distinct pool entries, sometimes block style, sometimes a bare single value."""
    items = rng.sample(pool, rng.randint(low, high))
    if len(items) == 1 and rng.random() < 0.15:
        return items[0]
    return Block(items) if rng.random() < 0.15 else items


def _random_date(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def _phone(rng: random.Random, pattern: str) -> Quoted:
    return Quoted("".join(str(rng.randrange(10)) if c == "#" else c for c in pattern))


# ---------------------------------------------------------------------------
# People


def _email(network: Network, local: str, domain: str) -> str:
    local = local or "contact"
    address, number = f"{local}@{domain}", 1
    while address in network.emails:
        number += 1
        address = f"{local}{number}@{domain}"
    network.emails.add(address)
    return address


def person_fields(rng: random.Random, person: Person, network: Network) -> list[tuple[str, object]]:
    """Front matter of one person, exercising every field of DESIGN.md §2."""
    fields: list[tuple[str, object]] = [("name", person.name)]
    if person.aliases:
        fields.append(("aliases", person.aliases))
    decision_maker = rng.random() < 0.05
    fields += _work_fields(rng, person, decision_maker)
    fields += _contact_fields(rng, person, network)
    fields += _profile_fields(rng, person)
    fields += _relationship_fields(rng, person, decision_maker)
    namesakes = _namesakes(person, network)
    if namesakes:
        # Two people of one name are for the user to tell apart, and a user who kept both
        # says so (otherwise check calls them possible duplicates). Uses no randomness.
        fields.append(("distinct_from", namesakes))
    return fields


def _namesakes(person: Person, network: Network) -> list[str]:
    """The other people whose name or alias is this person's, words in any order."""
    if network.namesakes is None:
        by_name: dict[str, list[str]] = {}
        for other in network.people:
            for name in {_words(n) for n in (other.name, *other.aliases)}:
                by_name.setdefault(name, []).append(other.slug)
        network.namesakes = {}
        for other in network.people:
            found = {s for n in (other.name, *other.aliases) for s in by_name[_words(n)]}
            network.namesakes[other.slug] = sorted(found - {other.slug})
    return network.namesakes.get(person.slug, [])


def _words(name: str) -> str:
    return " ".join(sorted(re.sub(r"[^\w\s]|_", " ", loose_name(name)).split()))


def _work_fields(
    rng: random.Random, person: Person, decision_maker: bool
) -> list[tuple[str, object]]:
    fields: list[tuple[str, object]] = []
    organisation = person.organisation
    if organisation is not None:
        use_alias = organisation.aliases and rng.random() < 0.1
        fields.append(("organization", organisation.aliases[0] if use_alias else organisation.name))
    if decision_maker:
        fields.append(("role", rng.choice(EXECUTIVE_ROLES)))
    elif rng.random() < 0.8:
        fields.append(("role", rng.choice(ROLES)))
    return fields


def _contact_fields(
    rng: random.Random, person: Person, network: Network
) -> list[tuple[str, object]]:
    """Email, phone and links; emails and LinkedIn URLs are unique across the KB."""
    fields: list[tuple[str, object]] = []
    local = f"{slugify(person.romanised_given)}.{slugify(person.romanised_family)}".strip(".")
    emails = []
    if rng.random() < 0.8:
        organisation = person.organisation
        domain = f"{organisation.slug}.example" if organisation else "mail.example"
        emails.append(_email(network, local, domain))
    if rng.random() < 0.25:
        emails.append(_email(network, local, rng.choice(("post.example", "inbox.example"))))
    if emails:
        fields.append(("email", emails[0] if len(emails) == 1 and rng.random() < 0.3 else emails))
    if rng.random() < 0.6:
        phones = [_phone(rng, rng.choice(person.culture.phones)) for _ in range(rng.randint(1, 2))]
        fields.append(("phone", phones[0] if len(phones) == 1 and rng.random() < 0.3 else phones))
    if rng.random() < 0.7:
        links = [f"https://www.linkedin.com/in/{person.slug}"]
        if rng.random() < 0.15:
            links.append(f"https://{person.slug}.example.org/")
        fields.append(("links", links))
    return fields


def _profile_fields(rng: random.Random, person: Person) -> list[tuple[str, object]]:
    """Location, birthday, tags, expertise, interests, qualities."""
    fields: list[tuple[str, object]] = []
    if rng.random() < 0.75:
        fields.append(("location", rng.choice(person.culture.cities)))
    if rng.random() < 0.4:
        birthday = _random_date(rng, dt.date(1950, 1, 1), dt.date(2001, 12, 31))
        with_year = rng.random() < 0.7
        fields.append(("birthday", birthday if with_year else Quoted(birthday.strftime("--%m-%d"))))
    for key, pool, chance, most in (
        ("tags", TAGS, 0.5, 4),
        ("expertise", EXPERTISE, 0.45, 3),
        ("interests", INTERESTS, 0.4, 3),
        ("qualities", QUALITIES, 0.35, 3),
    ):
        if rng.random() < chance:
            fields.append((key, _some(rng, pool, 1, most)))
    return fields


def _relationship_fields(
    rng: random.Random, person: Person, decision_maker: bool
) -> list[tuple[str, object]]:
    """Circle, how we met, relations, cadence, privacy and the odd unknown field."""
    fields: list[tuple[str, object]] = []
    if rng.random() < 0.92:
        fields.append(("circle", person.circle))
    if decision_maker:
        fields.append(("decision_maker", True))
    elif rng.random() < 0.02:
        fields.append(("decision_maker", False))
    if rng.random() < 0.6:
        fields.append(("met", _random_date(rng, dt.date(2000, 1, 1), TODAY)))
        if rng.random() < 0.7:
            fields.append(("met_at", rng.choice(EVENTS)))
    if person.introduced_by is not None:
        fields.append(("introduced_by", person.introduced_by.slug))
    if person.relations:
        relations = {kind: [p.slug for p in targets] for kind, targets in person.relations.items()}
        fields.append(("relations", relations))
    if rng.random() < 0.15:
        fields.append(("cadence", _draw_cadence(rng)))
    if rng.random() < 0.03:
        fields.append(("last_contact", _random_date(rng, TODAY - dt.timedelta(days=1000), TODAY)))
    if rng.random() < 0.02:
        fields.append(("private", True))
    elif rng.random() < 0.01:
        fields.append(("private", False))
    if rng.random() < 0.06:
        key, pool = rng.choice(EXTRA_FIELDS)
        fields.append((key, _some(rng, pool, 1, 2) if key == "languages" else rng.choice(pool)))
    return fields


def _draw_cadence(rng: random.Random) -> str:
    unit = rng.choice("dwmy")
    return f"{rng.choice(CADENCE_AMOUNTS[unit])}{unit}"


def wikilink(rng: random.Random, person: Person, network: Network) -> str:
    """A link to ``person`` as [[slug]], [[slug|label]] or, when unambiguous, [[Full Name]]."""
    form = rng.random()
    if form < 0.25 and loose_name(person.name) in network.unique_names:
        return f"[[{person.name}]]"
    if form < 0.5:
        return f"[[{person.slug}|{person.given}]]"
    return f"[[{person.slug}]]"


PERSON_NOTES = (
    "Works on {expertise} these days.",
    "Introduced me to {link} at {event}.",
    "Knows {link} from {event}.",
    "Good person to ask about {expertise}.",
    "Mentioned that {link} is looking for a new role.",
    "Played golf with {link} and {link2} in {month}.",
    "Sends a card every December.",
    "Prefers a phone call over email.",
    "- Follow up about {topic}.",
    "- Ask how the move went; mention {link}.",
    "Huge fan of {interest}; ask about the last trip.",
    "Was at {event} with {link}.",
    "Could help with {topic} — owes me a favour.",
    "Talked about {topic} over lunch in {month}.",
    "Worked with {link2} before, on {topic}.",
)
PRIVATE_NOTES = (
    "Going through a difficult time at home; do not bring up {topic}.",
    "Salary expectations: ask {link} first.",
    "Was passed over for promotion in {month}; still sore about it.",
    "Considering leaving; told me in confidence.",
)


def _acquaintances(person: Person) -> list[Person]:
    """People this person plausibly mentions: relations, introducer, a few colleagues."""
    found = [target for targets in person.relations.values() for target in targets]
    if person.introduced_by is not None:
        found.append(person.introduced_by)
    if person.organisation is not None:
        found.extend(p for p in person.organisation.members[:5] if p is not person)
    return found


def _note(
    rng: random.Random, template: str, person: Person, known: list[Person], network: Network
) -> str:
    """Fill one note template; {link} mentions a known person or, failing that, anyone else."""

    mentioned: list[Person] = [person]

    def mention() -> str:
        target = rng.choice(known) if known and rng.random() < 0.7 else person
        while target in mentioned:  # {link} and {link2} name two different people
            target = rng.choice(network.people)
        mentioned.append(target)
        return wikilink(rng, target, network)

    values = {
        "expertise": rng.choice(EXPERTISE),
        "event": rng.choice(EVENTS),
        "topic": rng.choice(TOPICS),
        "interest": rng.choice(INTERESTS),
        "month": rng.choice(MONTHS),
    }
    if "{link}" in template:
        values["link"] = mention()
    if "{link2}" in template:
        values["link2"] = mention()
    return template.format(**values)


def person_body(rng: random.Random, person: Person, network: Network) -> str:
    """2–10 lines of notes with wikilinks, sometimes a ``## Private`` section."""
    others = len(network.people) - 1  # a template can mention at most this many people
    known = _acquaintances(person)
    notes = [t for t in PERSON_NOTES if t.count("{link") <= others]
    chosen = rng.sample(notes, rng.randint(2, min(10, len(notes))))
    lines = [_note(rng, template, person, known, network) for template in chosen]
    body = "\n".join(lines) + "\n"
    if rng.random() < 0.05:
        private = [t for t in PRIVATE_NOTES if t.count("{link") <= others]
        body += "\n## Private\n\n" + _note(rng, rng.choice(private), person, known, network) + "\n"
        if rng.random() < 0.3:
            body += "\n## History\n\nFirst contact predates this notebook.\n"
    return body


# ---------------------------------------------------------------------------
# Organisations and interactions


def organisation_text(rng: random.Random, organisation: Organisation, network: Network) -> str:
    """The file of one organisation: name, website, tags, aliases and short notes."""
    fields: list[tuple[str, object]] = [("name", organisation.name)]
    if rng.random() < 0.8:
        fields.append(("website", f"https://www.{organisation.slug}.example/"))
    if rng.random() < 0.5:
        fields.append(("tags", _some(rng, TAGS, 1, 2)))
    if organisation.aliases:
        fields.append(("aliases", organisation.aliases))
    notes = [f"Notes on {organisation.name}."]
    if organisation.members:
        contacts = rng.sample(organisation.members, min(3, len(organisation.members)))
        notes.append("Main contacts: " + ", ".join(wikilink(rng, p, network) for p in contacts))
    return front_matter(fields) + "\n" + "\n".join(notes) + "\n"


SUMMARIES = (
    "Talked about {topic}",
    "Caught up on {topic}",
    "Quick sync on {topic}",
    "Catch-up: {topic}, kids, holidays",
    "Asked for advice on {topic}",
    "Follow-up: {topic} (see notes)",
    'Discussed the "{topic}" idea',
    "Intro re: {topic}",
)


def interaction_text(
    rng: random.Random, day: dt.date, kind: str, with_people: list[Person], network: Network
) -> str:
    """The file of one interaction (DESIGN.md §3)."""
    fields: list[tuple[str, object]] = [
        ("date", day),
        ("with", [p.slug for p in with_people]),
        ("kind", kind),
        ("minutes", rng.randint(*MINUTES[kind])),
    ]
    if rng.random() < 0.1:
        fields.append(("favor", "given" if rng.random() < 0.6 else "received"))
    topic = rng.choice(TOPICS)
    fields.append(("summary", Quoted(rng.choice(SUMMARIES).format(topic=topic))))
    text = front_matter(fields)
    if rng.random() < 0.3:
        mentioned = wikilink(rng, rng.choice(with_people), network)
        text += f"\n{mentioned} will follow up on {rng.choice(TOPICS)}.\n"
    return text


def _log_participants(
    rng: random.Random, network: Network, cum_weights: list[float]
) -> list[Person]:
    count = min(rng.choices((1, 2, 3), weights=(70, 22, 8))[0], len(network.people))
    chosen = [rng.choices(network.people, cum_weights=cum_weights)[0]]
    while len(chosen) < count:
        first = chosen[0]
        if first.organisation and len(first.organisation.members) > 1 and rng.random() < 0.6:
            candidate = rng.choice(first.organisation.members)
        else:
            candidate = rng.choices(network.people, cum_weights=cum_weights)[0]
        if candidate not in chosen:
            chosen.append(candidate)
    return chosen


def write_interactions(
    rng: random.Random, out_dir: Path, network: Network, count: int, slugs: SlugRegistry
) -> None:
    """Write ``count`` log entries under log/<year>/, favouring people in close circles."""
    cum_weights = list(itertools.accumulate(LOG_WEIGHT_BY_CIRCLE[p.circle] for p in network.people))
    kinds, kind_weights = tuple(LOG_KIND_WEIGHTS), tuple(LOG_KIND_WEIGHTS.values())
    first_day = TODAY - dt.timedelta(days=LOG_DAYS)
    made_dirs: set[Path] = set()
    for _ in range(count):
        day = first_day + dt.timedelta(days=rng.randrange(LOG_DAYS))
        kind = rng.choices(kinds, weights=kind_weights)[0]
        with_people = _log_participants(rng, network, cum_weights)
        folder = out_dir / "log" / str(day.year)
        if folder not in made_dirs:
            folder.mkdir(parents=True, exist_ok=True)
            made_dirs.add(folder)
        slug = slugs.claim(f"{day.isoformat()}-{kind}-{with_people[0].slug}")
        _write(folder / f"{slug}.md", interaction_text(rng, day, kind, with_people, network))


# ---------------------------------------------------------------------------
# Entry points


def _write(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def _check_empty(out_dir: Path) -> None:
    if out_dir.exists():
        if not out_dir.is_dir():
            raise FileExistsError(f"{out_dir} exists and is not a directory")
        if any(out_dir.iterdir()):
            raise FileExistsError(f"{out_dir} is not empty; refusing to write into it")


def generate(out_dir: Path, people: int, logs: int | None = None, seed: int = 1) -> None:
    """Write a complete synthetic KB with ``people`` contacts and ``logs`` interactions.

    ``logs`` defaults to twice ``people``. Raises FileExistsError if ``out_dir`` is
    not empty and ValueError for impossible sizes.
    """
    logs = 2 * people if logs is None else logs
    if people < 0 or logs < 0:
        raise ValueError("--people and --logs must not be negative")
    if logs and not people:
        raise ValueError("interactions need at least one person")
    out_dir = Path(out_dir)
    _check_empty(out_dir)
    rng = random.Random(seed)
    slugs = SlugRegistry()
    organisations = make_organisations(rng, min(400, max(3, people // 25)), slugs)
    people_list = make_people(rng, people, organisations, slugs)
    add_relations(rng, people_list)
    network = Network(people_list, organisations, unique_names(people_list, organisations))

    out_dir.mkdir(parents=True, exist_ok=True)
    site_name = f"Synthetic network ({people} people, seed {seed})"
    _write(out_dir / "mkdocs.yml", _mkdocs_yml(site_name))
    (out_dir / "contacts").mkdir()
    (out_dir / "orgs").mkdir()
    (out_dir / "log").mkdir()
    for organisation in organisations:
        if organisation.members:
            (out_dir / "contacts" / organisation.slug).mkdir()
    for person in people_list:
        folder = out_dir / "contacts"
        if person.organisation is not None:
            folder = folder / person.organisation.slug
        text = front_matter(person_fields(rng, person, network))
        _write(folder / f"{person.slug}.md", text + "\n" + person_body(rng, person, network))
    for organisation in organisations:
        if organisation.has_file:
            text = organisation_text(rng, organisation, network)
            _write(out_dir / "orgs" / f"{organisation.slug}.md", text)
    write_interactions(rng, out_dir, network, logs, slugs)


def parse_sizes(text: str) -> list[int]:
    """``1000,10000`` → [1000, 10000] (for the benchmarks' ``--sizes``)."""
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of integers: {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive integers")
    return sizes


def size_arguments(parser: argparse.ArgumentParser, repeat: int) -> None:
    """The options every size-sweeping benchmark takes: --sizes, --repeat, --seed, --tmpdir."""
    parser.add_argument("--sizes", type=parse_sizes, default=[1000, 10000], help="people per KB")
    parser.add_argument(
        "--repeat", type=int, default=repeat, help=f"timed runs per size (default {repeat})"
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--tmpdir", help="where to generate the KBs (default: system temp)")


def main(argv: list[str] | None = None) -> int:
    """Command line: ``generate.py OUT_DIR --people N [--logs M] [--seed S]``."""
    parser = argparse.ArgumentParser(description="Generate a synthetic netkb knowledge base.")
    parser.add_argument("out_dir", type=Path, help="empty or missing directory to write")
    parser.add_argument("--people", type=int, required=True, help="number of contacts")
    parser.add_argument("--logs", type=int, help="number of interactions (default 2 × people)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        generate(args.out_dir, args.people, args.logs, args.seed)
    except (FileExistsError, ValueError) as error:
        parser.error(str(error))
    logs = 2 * args.people if args.logs is None else args.logs
    elapsed = time.perf_counter() - started
    print(
        f"wrote {args.people} people and {logs} interactions to {args.out_dir} in {elapsed:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
