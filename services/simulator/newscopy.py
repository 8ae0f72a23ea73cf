"""Invented news events and how each agency writes them, in its own style and language.

Every event template holds, per language, a headline and paragraphs with slots (`{n}`, `{m}`, `{day}`)
that a seeded random generator fills, so two agencies report the same facts in different words.
All copy here is invented for the simulator.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

__all__ = ["EVENTS", "STYLES", "AgencyStyle", "EventTemplate", "Story", "draw_facts", "rewrite_lightly", "write_story"]

_EN_MONTHS = ("Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec")
_RU_MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
              "октября", "ноября", "декабря")  # fmt: skip


@dataclass(frozen=True, slots=True)
class EventTemplate:
    """One kind of news event: where, and what each language's copy says."""

    key: str
    place: dict[str, str]
    headline: dict[str, str]
    paragraphs: dict[str, tuple[str, ...]]
    slug: str


EVENTS: tuple[EventTemplate, ...] = (
    EventTemplate(
        key="quake",
        place={"en": "LISBON", "ru": "ЛИССАБОН", "fr": "Lisbonne"},
        headline={
            "en": "Magnitude {m} earthquake shakes southern Portugal, {n} hurt",
            "ru": "Землетрясение магнитудой {m} произошло на юге Португалии, пострадали {n} человек",
            "fr": "Un séisme de magnitude {m} secoue le sud du Portugal, {n} blessés",
        },
        paragraphs={
            "en": (
                "An earthquake of magnitude {m} struck off the Algarve coast on {weekday}, injuring {n} people "
                "and damaging old buildings in several fishing towns, civil protection officials said.",
                "The quake was felt in Lisbon and as far as Seville, and trains on the southern line were halted "
                "while engineers checked bridges.",
                "Portugal's meteorological institute recorded {k} aftershocks in the first two hours.",
            ),
            "ru": (
                "Землетрясение магнитудой {m} произошло у побережья Алгарве, пострадали {n} человек, "
                "сообщили в службе гражданской защиты.",
                "Толчки ощущались в Лиссабоне и Севилье, движение поездов на юге страны приостановлено.",
                "Зарегистрировано {k} повторных толчков.",
            ),
            "fr": (
                "Un séisme de magnitude {m} a frappé la côte de l'Algarve, faisant {n} blessés et endommageant "
                "des bâtiments anciens, selon la protection civile.",
                "La secousse a été ressentie jusqu'à Lisbonne et Séville, et la circulation des trains a été "
                "interrompue dans le sud.",
                "L'institut de météorologie a enregistré {k} répliques en deux heures.",
            ),
        },
        slug="PORTUGAL-QUAKE",
    ),
    EventTemplate(
        key="summit",
        place={"en": "GENEVA", "ru": "ЖЕНЕВА", "fr": "Genève"},
        headline={
            "en": "Grain corridor talks in Geneva end with {n}-point deal",
            "ru": "Переговоры в Женеве по зерновому коридору завершились соглашением из {n} пунктов",
            "fr": "Les pourparlers de Genève sur le corridor céréalier aboutissent à un accord en {n} points",
        },
        paragraphs={
            "en": (
                "Negotiators meeting in Geneva agreed on a {n}-point plan to reopen the Black Sea grain corridor "
                "after {k} days of talks, the United Nations said on {weekday}.",
                "The deal sets up a joint inspection centre and guarantees for ships calling at three ports.",
                "Wheat futures fell {m} percent after the announcement.",
            ),
            "ru": (
                "Участники переговоров в Женеве согласовали план из {n} пунктов по возобновлению работы "
                "зернового коридора после {k} дней консультаций, сообщили в ООН.",
                "Соглашение предусматривает создание совместного инспекционного центра.",
                "Фьючерсы на пшеницу подешевели на {m}%.",
            ),
            "fr": (
                "Les négociateurs réunis à Genève se sont entendus sur un plan en {n} points pour rouvrir le "
                "corridor céréalier de la mer Noire après {k} jours de discussions, a annoncé l'ONU.",
                "L'accord prévoit un centre d'inspection commun et des garanties pour les navires.",
                "Les contrats à terme sur le blé ont reculé de {m}% après l'annonce.",
            ),
        },
        slug="GRAIN-TALKS",
    ),
    EventTemplate(
        key="ferry",
        place={"en": "ATHENS", "ru": "АФИНЫ", "fr": "Athènes"},
        headline={
            "en": "Greek coast guard rescues {n} passengers from burning ferry",
            "ru": "Береговая охрана Греции спасла {n} пассажиров с горящего парома",
            "fr": "Grèce: {n} passagers secourus d'un ferry en feu",
        },
        paragraphs={
            "en": (
                "Greek coast guard vessels and fishing boats rescued {n} passengers from a ferry that caught fire "
                "off the island of Andros on {weekday}, the shipping ministry said.",
                "{k} people were taken to hospital with smoke inhalation; no deaths were reported.",
                "The fire started in the vehicle deck about {m} nautical miles from port.",
            ),
            "ru": (
                "Суда береговой охраны и рыбацкие лодки спасли {n} пассажиров парома, загоревшегося у острова "
                "Андрос, сообщили в министерстве судоходства Греции.",
                "{k} человек госпитализированы, погибших нет.",
                "Пожар начался на автомобильной палубе в {m} морских милях от порта.",
            ),
            "fr": (
                "Des garde-côtes et des pêcheurs ont secouru {n} passagers d'un ferry en feu au large de l'île "
                "d'Andros, a indiqué le ministère grec de la Marine marchande.",
                "{k} personnes ont été hospitalisées, aucun décès n'a été signalé.",
                "L'incendie s'est déclaré sur le pont des véhicules à {m} milles du port.",
            ),
        },
        slug="GREECE-FERRY",
    ),
    EventTemplate(
        key="rates",
        place={"en": "FRANKFURT", "ru": "ФРАНКФУРТ-НА-МАЙНЕ", "fr": "Francfort"},
        headline={
            "en": "ECB cuts deposit rate by {m} points, signals pause",
            "ru": "ЕЦБ снизил депозитную ставку на {m} п.п.",
            "fr": "La BCE abaisse son taux de dépôt de {m} point",
        },
        paragraphs={
            "en": (
                "The European Central Bank cut its deposit rate by {m} percentage points on {weekday}, its {n}th "
                "move in two years, and said further cuts would depend on wage data.",
                "The euro slipped {k} tenths of a cent against the dollar after the decision.",
            ),
            "ru": (
                "Европейский центральный банк снизил депозитную ставку на {m} процентного пункта, "
                "говорится в сообщении регулятора.",
                "Курс евро к доллару снизился после решения.",
            ),
            "fr": (
                "La Banque centrale européenne a abaissé son taux de dépôt de {m} point, sa {n}e décision en deux "
                "ans, et conditionne la suite aux données salariales.",
                "L'euro a reculé face au dollar après l'annonce.",
            ),
        },
        slug="ECB-RATES",
    ),
)


_MONTHS = {"en": _EN_MONTHS, "ru": _RU_MONTHS}


@dataclass(frozen=True, slots=True)
class AgencyStyle:
    """How one agency opens a story in one language: a dateline pattern with its credit."""

    agency: str
    language: str
    credit: str
    opening: str
    """Filled with {place}, {Place} (title case), {day}, {month} (the agency's own month names) and {credit}."""

    def dateline(self, place: str, when: datetime) -> str:
        """The dateline, agency credit included, that opens the lede."""
        month = _MONTHS.get(self.language, _EN_MONTHS)[when.month - 1]
        return self.opening.format(place=place, Place=place.title(), day=when.day, month=month, credit=self.credit)


STYLES: dict[tuple[str, str], AgencyStyle] = {
    (agency, lang): AgencyStyle(agency, lang, credit, opening)
    for agency, lang, credit, opening in (
        ("reuters", "en", "Reuters", "{place}, {month} {day} ({credit}) - "),
        ("ap", "en", "AP", "{place} ({credit}) _ "),
        ("afp", "fr", "AFP", "{Place} ({credit}) - "),
        ("afp", "en", "AFP", "{Place} ({credit}) - "),
        ("tass", "ru", "ТАСС", "{place}, {day} {month}. /{credit}/. "),
        ("tass", "en", "TASS", "{place}, {month} {day}. /{credit}/. "),
    )
}


@dataclass(frozen=True, slots=True)
class Story:
    """Copy ready for a renderer."""

    headline: str
    paragraphs: tuple[str, ...]
    slug: str
    language: str


_WEEKDAYS = {"en": "Tuesday", "fr": "mardi", "ru": "во вторник"}


def write_story(event: EventTemplate, facts: dict[str, str], style: AgencyStyle, when: datetime) -> Story:
    """The event told by `style`'s agency; `facts` fills the slots so every agency agrees on them."""
    slots = {**facts, "weekday": _WEEKDAYS[style.language]}
    paragraphs = [p.format(**slots) for p in event.paragraphs[style.language]]
    paragraphs[0] = style.dateline(event.place[style.language], when) + paragraphs[0]
    return Story(event.headline[style.language].format(**slots), tuple(paragraphs), event.slug, style.language)


def draw_facts(rng: random.Random) -> dict[str, str]:
    """Numbers one event's copy agrees on."""
    return {"n": str(rng.randint(3, 40)), "m": f"{rng.randint(40, 69) / 10:.1f}", "k": str(rng.randint(2, 12))}


def rewrite_lightly(story: Story, rng: random.Random) -> Story:
    """A re-run: the same story with a reordered tail and a small wording change."""
    tail = list(story.paragraphs[1:])
    rng.shuffle(tail)
    swaps = {"en": (" said", " told reporters"), "fr": (" a indiqué", " a précisé"), "ru": ("сообщили", "заявили")}
    old, new = swaps[story.language]
    lede = story.paragraphs[0].replace(old, new, 1)
    return Story(story.headline, (lede, *tail), story.slug, story.language)
