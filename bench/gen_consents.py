#!/usr/bin/env python3
"""Writes a pdconsent configuration and a JSON Lines batch of consent submissions.

    python3 bench/gen_consents.py --config OUT.toml --submissions N --out OUT.jsonl [--seed S]

OUT.toml is a file for `pdconsent apply`, in the shape of agreements.example.toml:
1 set of requisites (the fictional company of agreements.example.toml, whose INN,
KPP and OGRN pass the checksums), 20 agreements (8 personal-data consents
`ru-152fz-consent`, 7 advertising consents `ru-152fz-marketing`, 5 distribution
consents `ru-152fz-distribution`) and 50 sources (web forms and chat channels).
Every source links 1-3 agreements: exactly one personal-data consent, required,
and 0-2 optional advertising or distribution consents. Every agreement is linked
to at least one source, and every field an agreement lists is a field of the
sources that link it.

OUT.jsonl ("-" for stdout) holds N submissions for `pdconsent consent record
--batch`, one JSON object a line:

    {"source":"contact-form","fields":{"имя":"Иван Петров",…},"agreements":["personal-data"],
     "refused":["marketing-3"],"ip":"…","url":"https://severny-veter.ru/…","user_agent":"…",
     "at":"2025-03-04T10:11:12Z","external_id":"web-0000123"}

`fields` has exactly the source's captions as keys, every value a non-empty
string; `agreements` holds the required agreements and the optional ones ticked,
`refused` (always present, maybe empty) the optional ones left unticked, so every
agreement linked to the source is in exactly one of them. `at` runs forward
through the two years 2024-11-01T00:00:00Z .. 2026-10-31T23:59:59Z (RFC 3339
UTC, `Z`), with a daily and weekly rhythm in Moscow time, so the lines are in
chronological order (equal seconds are possible). `external_id` is unique
(`web-…` for forms, `chat-…` for chat channels, numbered by line). IPs are 80%
IPv4, 20% IPv6; user agents follow the browser versions of the date; every
string is in Unicode NFC.

The same seed (default 1) gives byte-identical files. The submissions are
streamed: memory stays at ~40 MB whatever N (measured on 2 busy cores:
100,000 lines, 65 MB, in 3.8 s; 1,000,000 lines, 650 MB, in 38 s).
Python standard library only.
"""

import argparse
import bisect
import calendar
import ipaddress
import json
import random
import sys
import time

SITE = "https://severny-veter.ru"

# ---------------------------------------------------------------------------
# Configuration: requisites, agreements, sources
# ---------------------------------------------------------------------------

REQUISITES = '''[[requisites]]
code = "main"
kind = "legal"
short_name = "ООО «Северный ветер»"
full_name = "Общество с ограниченной ответственностью «Северный ветер»"
inn = "7812345675"
kpp = "781201001"
ogrn = "1027800123450"
legal_address = "191186, г. Санкт-Петербург, Невский пр-кт, д. 28, пом. 15-Н"
postal_address = "191186, г. Санкт-Петербург, а/я 42"
email = "privacy@severny-veter.ru"
phone = "+7 812 555-01-02"
website = "https://severny-veter.ru"
default = true
'''

FIO = "фамилия, имя, отчество"
NAME = "имя"
EMAIL = "адрес электронной почты"
PHONE = "номер телефона"
CITY = "город"
PHOTO = "фотография"
REVIEW = "текст отзыва"
QUESTION = "текст вопроса"
COMPANY = "название компании"
POSITION = "должность"
BIRTH = "дата рождения"

ALL_ACTIONS = ["collection", "recording", "systematization", "accumulation", "storage",
               "clarification", "retrieval", "use", "transfer", "blocking", "deletion",
               "destruction"]
PROCESSOR = '''
[[agreements.third_parties]]
name = "ООО «Облачные системы»"
inn = "7717586110"
address = "127287, г. Москва, ул. Хуторская 2-я, д. 38А, стр. 9"
role = "processor"
'''
DELIVERY = '''
[[agreements.third_parties]]
name = "ООО «Быстрая доставка»"
inn = "7701234560"
address = "115035, г. Москва, ул. Садовническая, д. 14, стр. 2"
role = "recipient"
'''

# (code, name, purposes, fields, third parties)
CONSENTS = [
    ("personal-data", "Согласие на обработку персональных данных",
     ["обработка заявок и обращений, направленных через сайт",
      "заключение и исполнение договоров оказания услуг"],
     [NAME, PHONE, EMAIL], PROCESSOR),
    ("personal-data-orders", "Согласие на обработку персональных данных при оформлении заказа",
     ["оформление, оплата и доставка заказов", "информирование о статусе заказа"],
     [FIO, PHONE, EMAIL, "адрес доставки"], PROCESSOR + DELIVERY),
    ("personal-data-hr", "Согласие на обработку персональных данных соискателя",
     ["рассмотрение кандидатуры на замещение вакантной должности"],
     [FIO, PHONE, EMAIL, BIRTH], ""),
    ("personal-data-events", "Согласие на обработку персональных данных участника мероприятия",
     ["регистрация и участие в мероприятиях, вебинарах и конкурсах"],
     [FIO, EMAIL, PHONE], PROCESSOR),
    ("personal-data-reviews", "Согласие на обработку персональных данных автора отзыва",
     ["приём и модерация отзывов о товарах и услугах"],
     [NAME, EMAIL, REVIEW], ""),
    ("personal-data-loyalty", "Согласие на обработку персональных данных участника программы лояльности",
     ["участие в программе лояльности, начисление и списание бонусов"],
     [FIO, BIRTH, PHONE, EMAIL], PROCESSOR),
    ("personal-data-b2b", "Согласие на обработку персональных данных представителя организации",
     ["подготовка коммерческих предложений", "заключение и исполнение договоров с организациями"],
     [FIO, COMPANY, POSITION, PHONE, EMAIL], ""),
    ("personal-data-support", "Согласие на обработку персональных данных при обращении в поддержку",
     ["консультирование и ответы на вопросы пользователей"],
     [NAME, PHONE, EMAIL], PROCESSOR),
]

# (code, name, purpose, fields)
MARKETING = [
    ("marketing-1", "Согласие на получение рассылок по электронной почте",
     "направление информационных и рекламных писем о товарах и акциях ООО «Северный ветер»",
     [EMAIL]),
    ("marketing-2", "Согласие на получение рекламных SMS-сообщений",
     "направление SMS-сообщений о скидках и акциях ООО «Северный ветер»",
     [PHONE]),
    ("marketing-3", "Согласие на получение рекламы и рассылок",
     "направление рекламных и информационных рассылок о продуктах и мероприятиях ООО «Северный ветер»",
     [NAME, EMAIL, PHONE]),
    ("marketing-4", "Согласие на рекламные звонки",
     "телефонные звонки с предложениями товаров и услуг ООО «Северный ветер»",
     [NAME, PHONE]),
    ("marketing-5", "Согласие на получение приглашений на мероприятия",
     "направление приглашений на вебинары, конференции и другие мероприятия ООО «Северный ветер»",
     [EMAIL]),
    ("marketing-6", "Согласие на получение персональных предложений программы лояльности",
     "направление персональных предложений и поздравлений участникам программы лояльности",
     [FIO, BIRTH, PHONE, EMAIL]),
    ("marketing-7", "Согласие на получение деловых рассылок",
     "направление коммерческих предложений и деловых новостей ООО «Северный ветер»",
     [FIO, COMPANY, EMAIL]),
]

# (code, name, purpose, fields)
DISTRIBUTION = [
    ("reviews", "Согласие на распространение персональных данных (отзывы)",
     "публикация отзыва клиента на сайте ООО «Северный ветер»", [NAME, CITY, REVIEW]),
    ("reviews-photo", "Согласие на распространение персональных данных (отзывы с фотографией)",
     "публикация отзыва с фотографией клиента на сайте ООО «Северный ветер»", [NAME, PHOTO, REVIEW]),
    ("case-studies", "Согласие на распространение персональных данных (истории клиентов)",
     "публикация историй успешных проектов с клиентами на сайте ООО «Северный ветер»",
     [FIO, POSITION, COMPANY]),
    ("contest-winners", "Согласие на распространение персональных данных (итоги конкурса)",
     "публикация итогов конкурса и сведений о победителях на сайте ООО «Северный ветер»",
     [FIO, CITY, PHOTO]),
    ("qa-publication", "Согласие на распространение персональных данных (вопросы и ответы)",
     "публикация вопроса пользователя и ответа специалиста в разделе «Вопросы и ответы»",
     [NAME, QUESTION]),
]

# Source archetypes: (code, kind, name, page path or None for site-wide, base fields,
# personal-data consent, optional agreements that fit).
ARCHETYPES = [
    ("contact-form", "form", "Форма обратной связи", "contacts",
     [NAME, EMAIL, PHONE, "комментарий"], "personal-data",
     ["marketing-1", "marketing-3"]),
    ("callback-form", "form", "Заказ обратного звонка", None,
     [NAME, PHONE, "удобное время звонка"], "personal-data",
     ["marketing-2", "marketing-4"]),
    ("checkout", "form", "Оформление заказа", "checkout",
     [FIO, PHONE, EMAIL, "адрес доставки", "комментарий к заказу"], "personal-data-orders",
     ["marketing-1", "marketing-2"]),
    ("vacancy-form", "form", "Отклик на вакансию", "career/vacancies",
     [FIO, PHONE, EMAIL, BIRTH, CITY, "ссылка на резюме"], "personal-data-hr", []),
    ("webinar-registration", "form", "Регистрация на вебинар", "events/webinars",
     [FIO, EMAIL, PHONE, COMPANY, POSITION], "personal-data-events",
     ["marketing-5", "marketing-7"]),
    ("review-form", "form", "Оставить отзыв", "reviews",
     [NAME, CITY, EMAIL, PHOTO, REVIEW], "personal-data-reviews",
     ["reviews", "reviews-photo", "marketing-1"]),
    ("loyalty-form", "form", "Анкета участника программы лояльности", "loyalty",
     [FIO, BIRTH, PHONE, EMAIL, CITY], "personal-data-loyalty",
     ["marketing-6", "marketing-2", "marketing-1"]),
    ("b2b-request", "form", "Запрос коммерческого предложения", "b2b/request",
     [FIO, COMPANY, "ИНН организации", POSITION, PHONE, EMAIL, "описание задачи"],
     "personal-data-b2b", ["marketing-7", "case-studies"]),
    ("subscribe-form", "form", "Подписка на новости", None,
     [NAME, EMAIL], "personal-data", ["marketing-1", "marketing-5"]),
    ("contest-form", "form", "Участие в конкурсе", "promo/contest",
     [FIO, PHONE, EMAIL, CITY, PHOTO], "personal-data-events",
     ["contest-winners", "marketing-1"]),
    ("ask-expert", "form", "Вопрос специалисту", "faq/ask",
     [NAME, EMAIL, QUESTION], "personal-data-support", ["qa-publication", "marketing-1"]),
    ("chat", "openline", "Чат", None,
     [NAME, PHONE, EMAIL], "personal-data-support", ["marketing-3", "marketing-2"]),
]

# Variants of an archetype: (code suffix, name suffix, section path).
SECTIONS = [
    ("", "", "", 1.0),
    ("msk", " — Москва", "msk/", 0.8),
    ("spb", " — Санкт-Петербург", "spb/", 0.5),
    ("ekb", " — Екатеринбург", "ekb/", 0.25),
]
# How busy each kind of source is (relative submissions a day).
POPULARITY = {"contact-form": 10, "callback-form": 12, "checkout": 16, "vacancy-form": 2,
              "webinar-registration": 3, "review-form": 4, "loyalty-form": 4, "b2b-request": 2,
              "subscribe-form": 6, "contest-form": 2, "ask-expert": 3}
CHATS = [
    ("site-chat", "Чат на сайте", True, 10),
    ("telegram-bot", "Telegram-бот «Северный ветер»", True, 5),
    ("whatsapp", "WhatsApp-консультант", False, 4),
    ("vk-messages", "Сообщения сообщества ВКонтакте", True, 3),
    ("max-chat", "Чат в мессенджере MAX", False, 2),
    ("support-chat", "Чат службы поддержки в личном кабинете", True, 3),
]


def toml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def toml_list(items):
    return "[" + ", ".join(toml_str(i) for i in items) + "]"


def agreement_toml(code, name, template, required, require_reading, label, purposes,
                   actions, methods, term, fields, restrictions, third_parties):
    return f'''[[agreements]]
code = "{code}"
name = {toml_str(name)}
language = "ru"
template = "{template}"
requisites = "main"
required = {"true" if required else "false"}
checked_by_default = false
require_reading = {"true" if require_reading else "false"}
label = {toml_str(label)}
purposes = {toml_list(purposes)}
actions = {toml_list(actions)}
methods = "{methods}"
term = {toml_str(term)}
withdrawal_email = "privacy@severny-veter.ru"
fields = {toml_list(fields)}
restrictions = {toml_list(restrictions)}
{third_parties}'''


def agreements_toml():
    out = []
    for code, name, purposes, fields, tp in CONSENTS:
        out.append(agreement_toml(
            code, name, "ru-152fz-consent", True, False,
            "Я даю %согласие на обработку персональных данных%", purposes, ALL_ACTIONS,
            "mixed", "до отзыва согласия, но не более 5 лет с даты его предоставления",
            fields, [], tp))
    for code, name, purpose, fields in MARKETING:
        out.append(agreement_toml(
            code, name, "ru-152fz-marketing", False, False,
            "Я даю %согласие на получение рекламы и рассылок%", [purpose],
            ["collection", "recording", "storage", "use", "deletion", "destruction"],
            "automated", "до отзыва согласия", fields, [], ""))
    for code, name, purpose, fields in DISTRIBUTION:
        out.append(agreement_toml(
            code, name, "ru-152fz-distribution", False, True,
            "Я даю %согласие на распространение персональных данных%", [purpose],
            ["collection", "recording", "storage", "use", "transfer", "deletion", "destruction"],
            "mixed", "1 год с даты предоставления согласия", fields,
            ["запрет на передачу (кроме предоставления доступа) персональных данных "
             "неограниченному кругу лиц",
             "запрет на обработку персональных данных неограниченным кругом лиц, "
             "кроме ознакомления на сайте"], ""))
    return out


AGREEMENT_FIELDS = {c[0]: c[3] for c in MARKETING + DISTRIBUTION}


def make_sources(rng):
    """50 sources: dicts with code, kind, name, url, page, fields, warning, links, sitewide."""
    sources = []
    forms = [a for a in ARCHETYPES if a[1] == "form"]
    chat = ARCHETYPES[-1]
    # 44 forms (each form archetype on the main site and 3 regional ones), 6 chat channels.
    variants = []
    for s in SECTIONS:
        for a in forms:
            variants.append((a, s))
    for (code, kind, name, path, fields, consent, optional), (suf, name_suf, sect, busy) in variants:
        page = f"{SITE}/{sect}{path}" if path else None
        sources.append({
            "code": f"{code}-{suf}" if suf else code,
            "kind": kind,
            "name": name + name_suf,
            "url": page or (f"{SITE}/{sect}" if sect else SITE),
            "page": page,
            "section": sect,
            "fields": list(fields),
            "warning": False,
            "consent": consent,
            "optional": optional,
            "weight": POPULARITY[code] * busy * rng.uniform(0.7, 1.3),
        })
    for code, name, warning, busy in CHATS:
        sources.append({
            "code": code, "kind": "openline", "name": name, "url": SITE, "page": None,
            "section": "", "fields": list(chat[4]), "warning": warning,
            "consent": chat[5], "optional": chat[6], "weight": busy * rng.uniform(0.7, 1.3),
        })
    # Optional links: 0-2 per source from the ones that fit it.
    for s in sources:
        k = rng.choice([0, 1, 1, 1, 2, 2])
        s["links"] = rng.sample(s["optional"], min(k, len(s["optional"])))
    # Every agreement on at least one source: add a missing one where it fits.
    linked = {a for s in sources for a in s["links"]} | {s["consent"] for s in sources}
    for code in [c[0] for c in CONSENTS + MARKETING + DISTRIBUTION]:
        if code in linked:
            continue
        fits = [s for s in sources if code in s["optional"] and len(s["links"]) < 2]
        if not fits:
            fits = [s for s in sources if len(s["links"]) < 2]
        rng.choice(fits)["links"].append(code)
        linked.add(code)
    for s in sources:
        s["links"].sort(key=lambda c: (c.startswith("marketing"), c))
        for a in s["links"]:  # the fields an optional consent lists are on the form
            for f in AGREEMENT_FIELDS[a]:
                if f not in s["fields"]:
                    s["fields"].append(f)
    return sources


def source_toml(s):
    links = f'''
[[sources.agreements]]
agreement = "{s["consent"]}"
required = true
'''
    for a in s["links"]:
        links += f'''
[[sources.agreements]]
agreement = "{a}"
required = false
'''
    return f'''[[sources]]
code = "{s["code"]}"
kind = "{s["kind"]}"
name = {toml_str(s["name"])}
url = {toml_str(s["url"])}
fields = {toml_list(s["fields"])}
warning = {"true" if s["warning"] else "false"}
{links}'''


def write_config(path, sources, seed):
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"# generated by bench/gen_consents.py --seed {seed}\n\n")
        f.write(REQUISITES + "\n")
        for a in agreements_toml():
            f.write(a + "\n")
        for s in sources:
            f.write(source_toml(s) + "\n")


# ---------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------

MALE = ("Александр Алексей Андрей Антон Артём Богдан Вадим Валерий Василий Виктор Виталий "
        "Владимир Владислав Вячеслав Георгий Глеб Григорий Даниил Денис Дмитрий Евгений "
        "Егор Иван Игорь Илья Кирилл Константин Лев Леонид Максим Марк Матвей Михаил Никита "
        "Николай Олег Павел Пётр Роман Руслан Семён Сергей Станислав Степан Тимофей Тимур "
        "Фёдор Юрий Ярослав").split()
FEMALE = ("Александра Алёна Алина Алиса Анастасия Ангелина Анна Валентина Валерия Варвара "
          "Вера Вероника Виктория Галина Дарья Диана Ева Евгения Екатерина Елена Елизавета "
          "Жанна Зоя Ирина Карина Кира Ксения Лариса Любовь Людмила Маргарита Марина Мария "
          "Милана Надежда Наталья Нина Ольга Полина Светлана София Софья Таисия Татьяна "
          "Ульяна Юлия Яна").split()
# father's name -> (male patronymic, female patronymic)
PATRONYMICS = [
    ("Александрович", "Александровна"), ("Алексеевич", "Алексеевна"),
    ("Андреевич", "Андреевна"), ("Анатольевич", "Анатольевна"), ("Борисович", "Борисовна"),
    ("Валерьевич", "Валерьевна"), ("Васильевич", "Васильевна"), ("Викторович", "Викторовна"),
    ("Владимирович", "Владимировна"), ("Вячеславович", "Вячеславовна"),
    ("Геннадьевич", "Геннадьевна"), ("Георгиевич", "Георгиевна"), ("Дмитриевич", "Дмитриевна"),
    ("Евгеньевич", "Евгеньевна"), ("Иванович", "Ивановна"), ("Игоревич", "Игоревна"),
    ("Ильич", "Ильинична"), ("Константинович", "Константиновна"), ("Львович", "Львовна"),
    ("Максимович", "Максимовна"), ("Михайлович", "Михайловна"), ("Никитич", "Никитична"),
    ("Николаевич", "Николаевна"), ("Олегович", "Олеговна"), ("Павлович", "Павловна"),
    ("Петрович", "Петровна"), ("Романович", "Романовна"), ("Сергеевич", "Сергеевна"),
    ("Фомич", "Фоминична"), ("Юрьевич", "Юрьевна"), ("Яковлевич", "Яковлевна"),
]
SURNAMES = ("Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров "
            "Морозов Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев "
            "Орлов Андреев Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев "
            "Романов Воробьёв Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв "
            "Ильин Максимов Поляков Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов "
            "Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов Богданов Осипов Сидоров "
            "Матвеев Титов Марков Миронов Крылов Куликов Карпов Власов Мельников Денисов "
            "Гаврилов Тихонов Казаков Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов "
            "Мартынов Ефимов Федотов Щербаков Назаров Калинин Исаев Чернышёв Быков Маслов "
            "Родионов Коновалов Лазарев Воронин Климов Филатов Пономарёв Голубев Кудрявцев "
            "Прохоров Наумов Потапов Журавлёв Овчинников Трофимов Леонов Соболев Ермаков "
            "Колесников Гончаров Емельянов Никифоров Грачёв Котов Гришин Ефремов Архипов "
            "Громов Кириллов Малышев Панов Моисеев Румянцев Акимов Кондратьев Бирюков Горбунов "
            "Анисимов Еремин Тихомиров Галкин Лукьянов Михеев Скворцов Юдин Белоусов Нестеров "
            "Симонов Прокофьев Харитонов Князев Цветков Левин Митрофанов Воронцов Аксёнов "
            "Софронов Мальцев Логинов Горшков Савин Краснов Майоров Демидов Елисеев Рыбаков "
            "Сафонов Плотников Демин Хохлов Жданов Руднев Лапин Шубин Карасёв Блинов "
            "Муравьёв Шестаков Третьяков Рябов Ширяев Мухин Шилов Субботин "
            "Островский Вишневский Ковальский Соколовский Заречный Полянский Высоцкий "
            "Трубецкой Толстой Крутой Шевчук Коваленко Бондаренко Ткаченко Кравченко Литвиненко "
            "Лысенко Мельник Кравец Гайдук Черных Седых Белых Кох Шульц Миллер Ким Пак Цой "
            "Гарипов Хабибуллин Сафин Галиев Валиев Ахметов Исмаилов Алиев Мамедов").split()


def female_surname(m):
    for end, fem in (("ский", "ская"), ("цкий", "цкая"), ("ской", "ская"), ("цкой", "цкая"),
                     ("ный", "ная"), ("ой", "ая")):
        if m.endswith(end):
            return m[: -len(end)] + fem
    if m.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return m + "а"
    return m  # Шевчук, Коваленко, Черных, Ким: the same for women


TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}
_LAT = {}


def lat(word):
    r = _LAT.get(word)
    if r is None:
        r = _LAT[word] = "".join(TRANSLIT.get(c, c) for c in word.lower())
    return r


MAIL_DOMAINS = ["mail.ru"] * 30 + ["yandex.ru"] * 24 + ["gmail.com"] * 20 + ["bk.ru"] * 5 + \
    ["inbox.ru"] * 5 + ["list.ru"] * 4 + ["rambler.ru"] * 4 + ["ya.ru"] * 5 + ["icloud.com"] * 3

CITIES = ("Москва Москва Москва Санкт-Петербург Санкт-Петербург Новосибирск Екатеринбург "
          "Казань Нижний_Новгород Челябинск Красноярск Самара Уфа Ростов-на-Дону Омск "
          "Краснодар Воронеж Пермь Волгоград Тюмень Саратов Ижевск Барнаул Ульяновск "
          "Иркутск Хабаровск Ярославль Владивосток Махачкала Томск Оренбург Кемерово "
          "Рязань Набережные_Челны Пенза Липецк Тула Калининград Сочи Мурманск").replace(
              "_", " ").split()
STREETS = ["ул. Ленина", "ул. Советская", "ул. Мира", "ул. Садовая", "пр-кт Победы",
           "ул. Гагарина", "ул. Молодёжная", "ул. Школьная", "ул. Лесная", "ул. Центральная",
           "ул. Профсоюзная", "Ленинградский пр-кт", "ул. Пушкина", "ул. Кирова",
           "ул. Набережная", "ул. Октябрьская", "ул. Строителей", "б-р Рокоссовского"]
POSITIONS = ["генеральный директор", "коммерческий директор", "менеджер по закупкам",
             "руководитель отдела продаж", "главный инженер", "маркетолог",
             "специалист по снабжению", "индивидуальный предприниматель", "бухгалтер",
             "руководитель проекта", "начальник отдела логистики", "офис-менеджер"]
COMPANY_WORDS = ["Альфа", "Вектор", "Гранит", "Меридиан", "Орион", "Прогресс", "Стройресурс",
                 "ТехноСервис", "Импульс", "Северная звезда", "Лидер", "Партнёр", "Восход",
                 "Монолит", "Эталон", "Инвест-Групп", "Промснаб", "Магистраль", "Ника", "Глобус"]
CALL_TIMES = ["в любое время", "с 9:00 до 12:00", "с 12:00 до 15:00", "после 18:00",
              "с 10:00 до 13:00", "в будни после 17:00", "завтра утром", "в выходные",
              "в обед", "с 14:00 до 18:00"]
COMMENTS = [
    "Подскажите, пожалуйста, сроки доставки в мой город.",
    "Хочу уточнить наличие товара на складе.",
    "Перезвоните, пожалуйста, есть вопрос по оплате.",
    "Интересует оптовая закупка, пришлите прайс.",
    "Не могу войти в личный кабинет.",
    "Можно ли оформить возврат, если упаковка вскрыта?",
    "Нужна консультация по подбору модели.",
    "Добрый день! Когда будет поступление?",
    "Прошу выставить счёт на организацию.",
    "Спасибо, жду звонка.",
    "Есть ли скидка для постоянных клиентов?",
    "Курьер не приехал в назначенное время, разберитесь, пожалуйста.",
]
ORDER_COMMENTS = ["Позвоните за час до доставки.", "Домофон не работает, наберите по телефону.",
                  "Оставьте у двери.", "Доставка после 18:00.", "Подъезд со двора.",
                  "Нужен чек для юрлица.", "Без звонка не приезжать."]
REVIEWS = [
    "Заказ привезли вовремя, всё в целости. Спасибо!",
    "Отличное качество, буду заказывать ещё.",
    "Менеджер быстро ответил и помог с выбором.",
    "Доставка задержалась на два дня, но в остальном всё хорошо.",
    "Пользуюсь уже полгода, никаких нареканий.",
    "Цена выше, чем у конкурентов, но сервис того стоит.",
    "Упаковка была повреждена, товар не пострадал.",
    "Рекомендую друзьям, покупка полностью оправдала ожидания.",
    "Быстро оформили возврат, претензий нет.",
]
QUESTIONS = [
    "Как правильно ухаживать за изделием?", "Какой срок гарантии?",
    "Можно ли оплатить заказ частями?", "Подходит ли модель для использования на улице?",
    "Где посмотреть сертификаты соответствия?", "Как перенести бонусы на другую карту?",
    "Есть ли самовывоз в Москве?", "Чем отличаются модели 2025 и 2026 года?",
]
TASKS = [
    "Нужна поставка партии оборудования до конца квартала.",
    "Просим подготовить КП на 200 единиц с доставкой.",
    "Интересует долгосрочное сотрудничество, нужны условия для дилеров.",
    "Требуется монтаж и обслуживание на трёх объектах.",
    "Подготовьте, пожалуйста, предложение с отсрочкой платежа.",
]

MOBILE = [str(c) for c in range(900, 1000) if c not in (940, 942, 943, 944, 945, 946, 947,
                                                         948, 972, 973, 974, 975, 976, 990)]


def inn10(rng):
    d = [rng.randrange(10) for _ in range(9)]
    d[0], d[1] = rng.choice([(7, 7), (7, 8), (5, 0), (6, 6), (1, 6), (2, 3), (5, 4)])
    w = [2, 4, 10, 3, 5, 9, 4, 6, 8]
    d.append(sum(a * b for a, b in zip(d, w)) % 11 % 10)
    return "".join(map(str, d))


class People:
    def __init__(self, rng):
        self.r = rng

    def person(self):
        r = self.r.random
        male = r() < 0.48
        first = self.r.choice(MALE if male else FEMALE)
        sur = self.r.choice(SURNAMES)
        if not male:
            sur = female_surname(sur)
        pat = self.r.choice(PATRONYMICS)[0 if male else 1]
        return first, sur, pat

    def email(self, first, sur):
        r = self.r
        f, s = lat(first), lat(sur)
        k = r.randrange(9)
        if k == 0:
            local = f"{f}.{s}"
        elif k == 1:
            local = f"{f[0]}.{s}"
        elif k == 2:
            local = f"{s}.{f}"
        elif k == 3:
            local = f"{f}{s}{r.randrange(70, 100) if r.random() < 0.5 else r.randrange(1970, 2008)}"
        elif k == 4:
            local = f"{s}_{f[0]}"
        elif k == 5:
            local = f"{f}.{s}{r.randrange(1, 100)}"
        elif k == 6:
            local = f"{s}{r.randrange(1, 1000)}"
        elif k == 7:
            local = f"{f}_{s}"
        else:
            local = f"{f[:3]}{s}{r.randrange(10)}"
        return f"{local}@{r.choice(MAIL_DOMAINS)}"

    def phone(self):
        r = self.r
        code = r.choice(MOBILE)
        n = r.randrange(10_000_000)
        a, b, c = n // 10000, n // 100 % 100, n % 100
        k = r.random()
        if k < 0.62:
            return f"+7 {code} {a:03}-{b:02}-{c:02}"
        if k < 0.82:
            return f"8 ({code}) {a:03}-{b:02}-{c:02}"
        if k < 0.92:
            return f"+7{code}{a:03}{b:02}{c:02}"
        return f"+7 ({code}) {a:03}-{b:02}-{c:02}"

    def birth(self):
        r = self.r
        return f"{r.randrange(1, 29):02}.{r.randrange(1, 13):02}.{r.randrange(1955, 2007)}"

    def company(self):
        r = self.r
        k = r.random()
        if k < 0.7:
            return f"ООО «{r.choice(COMPANY_WORDS)}»"
        if k < 0.85:
            return f"АО «{r.choice(COMPANY_WORDS)}»"
        first, sur, pat = self.person()
        return f"ИП {sur} {first[0]}. {pat[0]}."

    def address(self):
        r = self.r
        flat = f", кв. {r.randrange(1, 300)}" if r.random() < 0.8 else ""
        return (f"{r.randrange(101000, 693000)}, г. {r.choice(CITIES)}, {r.choice(STREETS)}, "
                f"д. {r.randrange(1, 150)}{flat}")

    def fields(self, captions, at_ts):
        """Values for a source's captions, one person throughout."""
        r = self.r
        first, sur, pat = self.person()
        out = {}
        for c in captions:
            if c == NAME:
                v = first if r.random() < 0.6 else f"{first} {sur}"
            elif c == FIO:
                v = f"{sur} {first} {pat}" if r.random() < 0.93 else f"{sur} {first}"
            elif c == EMAIL:
                v = self.email(first, sur)
            elif c == PHONE:
                v = self.phone()
            elif c == CITY:
                v = r.choice(CITIES)
            elif c == BIRTH:
                v = self.birth()
            elif c == COMPANY:
                v = self.company()
            elif c == POSITION:
                v = r.choice(POSITIONS)
            elif c == "ИНН организации":
                v = inn10(r)
            elif c == PHOTO:
                v = time.strftime("IMG_%Y%m%d_%H%M%S.jpg", time.gmtime(at_ts - r.randrange(86400 * 30)))
            elif c == REVIEW:
                v = r.choice(REVIEWS)
            elif c == QUESTION:
                v = r.choice(QUESTIONS)
            elif c == "комментарий":
                v = r.choice(COMMENTS)
            elif c == "комментарий к заказу":
                v = r.choice(ORDER_COMMENTS)
            elif c == "адрес доставки":
                v = self.address()
            elif c == "удобное время звонка":
                v = r.choice(CALL_TIMES)
            elif c == "описание задачи":
                v = r.choice(TASKS)
            elif c == "ссылка на резюме":
                v = "https://hh.ru/resume/%038x" % r.getrandbits(152)
            else:
                v = r.choice(COMMENTS)
            out[c] = v
        return out


# ---------------------------------------------------------------------------
# The web side: addresses, pages, browsers, time
# ---------------------------------------------------------------------------

V4_FIRST = [5, 31, 37, 46, 62, 77, 78, 79, 80, 81, 82, 83, 84, 85, 87, 88, 89, 90, 91, 92,
            93, 94, 95, 109, 128, 141, 145, 176, 178, 185, 188, 193, 194, 195, 212, 213, 217]
V6_PREFIX = [(0x2a00, 0x1fa0), (0x2a02, 0x06b8), (0x2a03, 0xd000), (0x2a01, 0x0540),
             (0x2a02, 0x2168), (0x2a00, 0x1370), (0x2a0c, 0xa9c7), (0x2a02, 0x0a06),
             (0x2a00, 0xf940), (0x2a01, 0x04f8)]


def ipv4(r):
    return (f"{r.choice(V4_FIRST)}.{r.randrange(256)}.{r.randrange(256)}."
            f"{r.randrange(1, 255)}")


def ipv6(r):
    a, b = r.choice(V6_PREFIX)
    net = r.getrandbits(32) if r.random() < 0.7 else r.getrandbits(16) << 16
    iid = r.getrandbits(64) if r.random() < 0.85 else r.randrange(1, 256)
    return ipaddress.IPv6Address(((a << 112) | ((b & 0xffff) << 96) | (net << 64) | iid)).compressed


CATEGORIES = ["catalog/teplovye-zavesy", "catalog/konditsionery", "catalog/obogrevateli",
              "catalog/ventilyatsiya", "catalog/uvlazhniteli", "catalog/vodonagrevateli",
              "catalog/komplektuyushchie", "uslugi/montazh", "uslugi/servis"]
PRODUCTS = ["nastennyy-split-sistema", "infrakrasnyy-obogrevatel", "pritochnaya-ustanovka",
            "vozdushnaya-zavesa-pro", "uvlazhnitel-ultrazvukovoy", "boyler-nakopitelnyy",
            "inverternyy-kondicioner", "konvektor-elektricheskiy", "rekuperator-kompaktnyy"]
BLOG = ["kak-vybrat-kondicioner-dlya-kvartiry", "uhod-za-split-sistemoy-vesnoy",
        "chto-takoe-rekuperaciya-vozduha", "skolko-stoit-montazh-ventilyacii",
        "obogrevatel-dlya-dachi-kakoy-vybrat"]
UTM = [
    "?utm_source=yandex&utm_medium=cpc&utm_campaign=brand",
    "?utm_source=yandex&utm_medium=cpc&utm_campaign=poisk_msk",
    "?utm_source=vk&utm_medium=social&utm_campaign=promo",
    "?utm_source=telegram&utm_medium=post",
    "?utm_source=email&utm_medium=newsletter&utm_campaign=sale",
    "?utm_source=google&utm_medium=organic",
    "?from=main",
    "?page=2",
]


def page_url(r, s):
    """The page a submission was sent from: the form's page, or any page for site-wide ones."""
    if s["page"] is not None:
        base = s["page"]
        if base.endswith(("vacancies", "webinars")):   # a page per vacancy or webinar
            base += f"/{r.randrange(1000, 99999)}"
    else:
        k = r.random()
        sect = s["section"]
        if k < 0.55:
            base = f"{SITE}/{sect}{r.choice(CATEGORIES)}/{r.choice(PRODUCTS)}-{r.randrange(1000, 99999)}"
        elif k < 0.75:
            base = f"{SITE}/{sect}{r.choice(CATEGORIES)}"
        elif k < 0.88:
            base = f"{SITE}/blog/{r.choice(BLOG)}"
        else:
            base = f"{SITE}/{sect}"
    k = r.random()
    if k < 0.35:
        base += r.choice(UTM)
    elif k < 0.45:
        base += f"?yclid={r.randrange(10**18, 10**19)}"
    return base


START = calendar.timegm((2024, 11, 1, 0, 0, 0))
END = calendar.timegm((2026, 10, 31, 23, 59, 59)) + 1   # exclusive
MONTH = 28 * 86400


def browser_versions(ts):
    """(Chrome, Firefox, YaBrowser, Apple major, Apple minor) current at ts, roughly:
    Chrome and Firefox every four weeks, YaBrowser as year.month, Safari/iOS 18 then 26."""
    months = (ts - calendar.timegm((2024, 10, 15, 0, 0, 0))) // MONTH
    g = time.gmtime(ts)
    ya = f"{g.tm_year % 100}.{g.tm_mon}"
    if ts >= IOS26:
        apple, minor = 26, min(4, (ts - IOS26) // (60 * 86400))
    else:
        apple, minor = 18, max(1, min(6, (ts - IOS18) // (55 * 86400)))
    return 130 + months, 132 + months, ya, apple, minor


IOS18 = calendar.timegm((2024, 9, 16, 0, 0, 0))
IOS26 = calendar.timegm((2025, 9, 15, 0, 0, 0))


UA_TEMPLATES = [
    # (weight, template) with {c} Chrome, {f} Firefox, {y} YaBrowser, {a} Apple major, {m} minor
    (22, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{c}.0.0.0 Safari/537.36"),
    (14, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{c2}.0.0.0 YaBrowser/{y}.0.0 Yowser/2.5 Safari/537.36"),
    (18, "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{c}.0.0.0 Mobile Safari/537.36"),
    (14, "Mozilla/5.0 (iPhone; CPU iPhone OS {a}_{m} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{a}.{m} Mobile/15E148 Safari/604.1"),
    (6, "Mozilla/5.0 (Linux; arm_64; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{c2}.0.0.0 YaBrowser/{y}.0.0 YaApp_Android/{y} Mobile Safari/537.36"),
    (5, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{a}.{m} Safari/605.1.15"),
    (5, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{c}.0.0.0 Safari/537.36"),
    (5, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{f}.0) Gecko/20100101 Firefox/{f}.0"),
    (5, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{c}.0.0.0 Safari/537.36 Edg/{c}.0.0.0"),
    (3, "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/{sb}.0 Chrome/{c3}.0.0.0 Mobile Safari/537.36"),
    (2, "Mozilla/5.0 (X11; Linux x86_64; rv:{f}.0) Gecko/20100101 Firefox/{f}.0"),
    (1, "Mozilla/5.0 (iPad; CPU OS {a}_{m} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{a}.{m} Mobile/15E148 Safari/604.1"),
]
UA_CUM = []
_t = 0
for _w, _ in UA_TEMPLATES:
    _t += _w
    UA_CUM.append(_t)
_UA_CACHE = {}


def user_agent(r, ts):
    i = bisect.bisect(UA_CUM, r.random() * UA_CUM[-1])
    lag = r.choice((0, 0, 0, 1, 1, 2, 3))  # not everyone updates at once
    v = browser_versions(ts)
    key = (i, lag, v)
    ua = _UA_CACHE.get(key)
    if ua is None:
        c, f, y, a, m = v
        ua = UA_TEMPLATES[i][1].format(c=c - lag, c2=c - lag - 2, c3=c - lag - 6, f=f - lag,
                                       y=y, a=a, m=max(0 if a == 26 else 1, m - lag),
                                       sb=27 + (c - 130) // 4 - lag)
        _UA_CACHE[key] = ua
    return ua


def time_cdf():
    """Cumulative weights of each hour from START to END: a daily and weekly rhythm in
    Moscow time (UTC+3) and slow growth, so submissions come mostly by day."""
    # weight of each Moscow hour of the day
    hourly = [2, 1.2, 0.7, 0.5, 0.4, 0.5, 1, 2, 4, 6, 8, 9, 9, 9, 9, 9, 8.5, 8, 7.5, 7.5, 7, 6, 5, 3.5]
    weekday = [1.0, 1.0, 0.98, 0.97, 0.9, 0.65, 0.7]   # Mon..Sun
    hours = (END - START) // 3600
    cum, t = [], 0.0
    for h in range(hours):
        ts = START + h * 3600 + 3 * 3600
        day = (ts // 86400 + 3) % 7    # 1970-01-01 was a Thursday
        t += hourly[(ts // 3600) % 24] * weekday[day] * (1 + 0.6 * h / hours)
        cum.append(t)
    return cum


# ---------------------------------------------------------------------------


def write_submissions(out, n, sources, rng):
    r = rng
    people = People(rng)
    cum = time_cdf()
    total = cum[-1]
    # Popularity of sources: checkout, callback and chat busy, vacancies and regions less.
    src_cum = []
    t = 0.0
    for w in (s["weight"] for s in sources):
        t += w
        src_cum.append(t)
    prepared = []
    for s in sources:
        optional = [(a, 0.25 if a in AGREEMENT_FIELDS and not a.startswith("marketing") else 0.4)
                    for a in s["links"]]
        prepared.append((s["code"], s["fields"], s["consent"], optional,
                         "chat" if s["kind"] == "openline" else "web", s))
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    random_ = r.random
    buf = []
    width = max(7, len(str(n)))
    for i in range(n):
        # The time: stratified over the CDF, so lines run forward in time.
        u = (i + random_()) / n * total
        h = bisect.bisect(cum, u)
        lo = cum[h - 1] if h else 0.0
        frac = (u - lo) / (cum[h] - lo)
        ts = START + h * 3600 + int(frac * 3600)
        if ts >= END:
            ts = END - 1
        code, captions, consent, optional, prefix, s = prepared[
            bisect.bisect(src_cum, random_() * src_cum[-1])]
        given = [consent]
        refused = []
        for a, p in optional:
            (given if random_() < p else refused).append(a)
        rec = {
            "source": code,
            "fields": people.fields(captions, ts),
            "agreements": given,
            "refused": refused,
            "ip": ipv4(r) if random_() < 0.8 else ipv6(r),
            "url": page_url(r, s),
            "user_agent": user_agent(r, ts),
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts)),
            "external_id": f"{prefix}-{i + 1:0{width}}",
        }
        buf.append(dumps(rec))
        if len(buf) >= 5000:
            buf.append("")
            out.write("\n".join(buf))
            buf = []
    if buf:
        buf.append("")
        out.write("\n".join(buf))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", required=True, help="the TOML file to write")
    p.add_argument("--submissions", required=True, type=int, metavar="N",
                   help="how many JSON lines to write")
    p.add_argument("--out", required=True, help='the JSON Lines file to write ("-" for stdout)')
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    a = p.parse_args()
    if a.submissions < 0:
        p.error("--submissions must be 0 or more")
    rng = random.Random(a.seed)
    sources = make_sources(rng)
    write_config(a.config, sources, a.seed)
    if a.out == "-":
        write_submissions(sys.stdout, a.submissions, sources, rng)
        sys.stdout.flush()
    else:
        with open(a.out, "w", encoding="utf-8", buffering=1 << 20) as f:
            write_submissions(f, a.submissions, sources, rng)


if __name__ == "__main__":
    main()
