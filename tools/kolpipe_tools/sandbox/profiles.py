"""Public profiles of the accounts that follow a KOL, as a follower sample would show them.

The counts and the shares of empty fields follow the real labelled accounts the scorer learns
from (data/fake_followers/README.md): genuine people as Cresci et al.'s humans (median 100-340
followers, 230-320 followed, hundreds to thousands of posts, a bio and a picture almost
always), bought followers as the sellers' accounts (median 9-18 followers, 250-340 followed,
20-36 posts; Purba et al.'s Instagram fakes: no bio 56 %, no picture 11 %).

Bought (fake) followers tend to have no picture, few or no posts, an empty bio, a digit-heavy
generated username and follow thousands of accounts while few follow them back. Real audiences
are messier: some genuine people are lurkers with sparse profiles, and some fake farms dress
their accounts up, so the two populations overlap (about one profile in eight is ambiguous).
"""

from __future__ import annotations

import math
import random

# Given names and family names per script/language; usernames are latinised separately.
_NAMES = {
    "en": (["James", "Olivia", "Liam", "Emma", "Noah", "Ava", "Mia", "Ethan", "Grace", "Lucas"],
           ["Smith", "Johnson", "Brown", "Taylor", "Walker", "Clarke", "Hughes", "Reed"]),
    "zh": (["伟", "芳", "娜", "敏", "静", "磊", "洋", "婷", "杰", "欣怡"],
           ["王", "李", "张", "刘", "陈", "杨", "黄", "赵"]),
    "bn": (["রাহুল", "প্রিয়া", "সাকিব", "তানিয়া", "আরিফ", "নুসরাত", "রিয়াদ", "মিম"],
           ["রহমান", "হোসেন", "আহমেদ", "চৌধুরী", "ইসলাম", "দাস"]),
    "lv": (["Jānis", "Anna", "Mārtiņš", "Līga", "Kristaps", "Ilze", "Edgars", "Zane"],
           ["Bērziņš", "Kalniņa", "Ozoliņš", "Liepiņa", "Jansons", "Krūmiņa"]),
    "es": (["Sofía", "Mateo", "Lucía", "Diego", "Valentina", "Hugo", "Camila", "Pablo"],
           ["García", "Martínez", "López", "Sánchez", "Pérez", "Gómez"]),
    "ru": (["Алексей", "Мария", "Дмитрий", "Анастасия", "Иван", "Екатерина"],
           ["Иванов", "Смирнова", "Кузнецов", "Попова", "Соколов"]),
}
# Latin handles for the same people (their usernames), by language.
_HANDLE_STEMS = {
    "en": ["james", "olivia", "liam", "emma", "noah", "ava", "mia", "ethan", "grace", "lucas"],
    "zh": ["wei", "fang", "na", "min", "jing", "lei", "yang", "ting", "jie", "xinyi"],
    "bn": ["rahul", "priya", "sakib", "tania", "arif", "nusrat", "riyad", "mim"],
    "lv": ["janis", "anna", "martins", "liga", "kristaps", "ilze", "edgars", "zane"],
    "es": ["sofia", "mateo", "lucia", "diego", "valentina", "hugo", "camila", "pablo"],
    "ru": ["alexey", "maria", "dmitry", "nastya", "ivan", "katya"],
}
_FAMILY_STEMS = {
    "en": ["smith", "johnson", "brown", "taylor", "walker", "clarke", "hughes", "reed"],
    "zh": ["wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao"],
    "bn": ["rahman", "hossain", "ahmed", "chowdhury", "islam", "das"],
    "lv": ["berzins", "kalnina", "ozolins", "liepina", "jansons", "krumina"],
    "es": ["garcia", "martinez", "lopez", "sanchez", "perez", "gomez"],
    "ru": ["ivanov", "smirnova", "kuznetsov", "popova", "sokolov"],
}
_BIOS = {
    "en": ["Coffee, books and long walks", "Mum of two | Runner", "Photographer based in Leeds",
           "Football fan. Opinions are my own", "Learning to cook one recipe at a time"],
    "zh": ["喜欢旅行和美食", "摄影爱好者", "每天进步一点点", "上海 | 设计师"],
    "bn": ["ঢাকা | ছাত্র", "বই পড়তে ভালোবাসি", "ভ্রমণ আর ছবি তোলা"],
    "lv": ["Rīga | dizainere", "Mīlu kalnus un kafiju", "Skrēju, lasu, ceļoju"],
    "es": ["Amante del café y los viajes", "Madrid | Ingeniera", "Vivir, reír, comer tacos"],
    "ru": ["Москва | фотограф", "Люблю путешествия", "Спорт и музыка"],
}
_FAKE_BIOS = ["Follow back 💯", "DM for promo", "💰💰 crypto 💰💰", "f4f l4l", "Check link 🔥"]
_LANGUAGES = sorted(_NAMES)


def follower_profile(rng: random.Random, fake: bool) -> dict:
    """One follower's public profile. Deterministic given `rng`'s state."""
    language = rng.choice(_LANGUAGES)
    # The ambiguous minority: fakes built to pass as people, genuine users who barely post.
    ambiguous = rng.random() < 0.13
    if fake and not ambiguous:
        return _crude_fake(rng, language)
    if fake:
        return _dressed_up_fake(rng, language)
    if ambiguous:
        return _lurker(rng, language)
    return _genuine(rng, language)


def _full_name(rng: random.Random, language: str) -> tuple[str, int, int]:
    given, family = _NAMES[language]
    g, f = rng.randrange(len(given)), rng.randrange(len(family))
    if language == "zh":
        return family[f] + given[g], g, f
    return f"{given[g]} {family[f]}", g, f


def _person_handle(rng: random.Random, language: str, g: int, f: int) -> str:
    stem = _HANDLE_STEMS[language][g % len(_HANDLE_STEMS[language])]
    family = _FAMILY_STEMS[language][f % len(_FAMILY_STEMS[language])]
    style = rng.random()
    if style < 0.35:
        return f"{stem}.{family}"
    if style < 0.6:
        return f"{stem}_{family[:rng.randint(1, len(family))]}"
    if style < 0.85:
        return f"{stem}{family}{rng.randint(1, 99)}"
    return f"{stem}{rng.randint(1980, 2008)}"


def _generated_handle(rng: random.Random, language: str) -> str:
    stems = _HANDLE_STEMS[language]
    style = rng.random()
    if style < 0.5:
        return f"{rng.choice(stems)}{rng.randint(10_000, 99_999_999)}"
    if style < 0.8:
        alphabet = "abcdefghijklmnopqrstuvwxyz"
        letters = "".join(rng.choice(alphabet) for _ in range(rng.randint(3, 6)))
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(4, 9)))
        return f"{letters}{digits}"
    return f"user_{rng.randint(100_000, 9_999_999)}_{rng.choice(stems)}"


def _lognormal_int(rng: random.Random, median: float, sigma: float, low: int = 0) -> int:
    return max(low, int(round(median * math.exp(rng.gauss(0, sigma)))))


def _genuine(rng: random.Random, language: str) -> dict:
    name, g, f = _full_name(rng, language)
    followers = _lognormal_int(rng, 200, 1.2)
    return {
        "username": _person_handle(rng, language, g, f),
        "full_name": name if rng.random() < 0.92 else "",
        "bio": rng.choice(_BIOS[language]) if rng.random() < 0.85 else "",
        "has_profile_pic": rng.random() < 0.98,
        "is_private": rng.random() < 0.1,
        "has_external_url": rng.random() < 0.3,
        "posts_count": _lognormal_int(rng, 900, 1.5),
        "followers_count": followers,
        # real people follow about as many accounts as follow them (median ratio ~1)
        "following_count": _lognormal_int(rng, 60 + followers, 0.7),
    }


def _lurker(rng: random.Random, language: str) -> dict:
    """A real person who follows people but hardly shows themselves."""
    name, g, f = _full_name(rng, language)
    handle = (_person_handle(rng, language, g, f) if rng.random() < 0.6
              else _generated_handle(rng, language))
    return {
        "username": handle,
        "full_name": name if rng.random() < 0.5 else "",
        "bio": rng.choice(_BIOS[language]) if rng.random() < 0.4 else "",
        "has_profile_pic": rng.random() < 0.85,
        "is_private": rng.random() < 0.3,
        "has_external_url": False,
        "posts_count": _lognormal_int(rng, 60, 1.2),
        "followers_count": _lognormal_int(rng, 50, 1.0),
        "following_count": _lognormal_int(rng, 250, 0.9),
    }


def _crude_fake(rng: random.Random, language: str) -> dict:
    name, _, _ = _full_name(rng, language)
    return {
        "username": _generated_handle(rng, language),
        "full_name": name if rng.random() < 0.35 else "",
        "bio": rng.choice(_FAKE_BIOS) if rng.random() < 0.4 else "",
        "has_profile_pic": rng.random() < 0.7,
        "is_private": rng.random() < 0.1,
        "has_external_url": rng.random() < 0.03,
        "posts_count": _lognormal_int(rng, 15, 1.2),
        "followers_count": _lognormal_int(rng, 12, 1.0),
        "following_count": _lognormal_int(rng, 600, 0.8),
    }


def _dressed_up_fake(rng: random.Random, language: str) -> dict:
    """A farm account with a stolen picture, a borrowed name and a few reposted photos."""
    name, g, f = _full_name(rng, language)
    return {
        "username": (_person_handle(rng, language, g, f) if rng.random() < 0.5
                     else _generated_handle(rng, language)),
        "full_name": name,
        "bio": rng.choice(_BIOS[language] + _FAKE_BIOS) if rng.random() < 0.5 else "",
        "has_profile_pic": rng.random() < 0.85,
        "is_private": rng.random() < 0.2,
        "has_external_url": rng.random() < 0.1,
        "posts_count": _lognormal_int(rng, 35, 1.0),
        "followers_count": _lognormal_int(rng, 40, 1.0),
        "following_count": _lognormal_int(rng, 500, 0.8),
    }
