"""Settings of the enrich stage (WIREDESK_ENRICH_*)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.enrich.keywords import KeywordEngine

__all__ = ["EnrichSettings"]


def _codes(value: str) -> list[str]:
    return [code.strip() for code in value.split(",") if code.strip()]


class EnrichSettings(BaseSettings):
    """Which languages the desk works in, how sure each enricher must be, and where translations come from."""

    model_config = SettingsConfigDict(env_prefix="WIREDESK_ENRICH_", frozen=True, extra="ignore")

    desk_languages: str = Field(
        default="en,ru,fr,es,de,uk,pt,ar,zh", description="Languages the detector chooses from, comma separated."
    )
    min_confidence: float = Field(
        default=0.60, ge=0, le=1, description="Below this detector confidence the language is 'und'."
    )
    min_letters: int = Field(default=12, ge=1, description="Texts with fewer letters are 'und'.")
    desk_language: str = Field(default="en", description="The language stories are translated into.")
    city_min_population: int = Field(
        default=250_000, ge=1_000, description="Cities at least this big are in the places gazetteer."
    )
    places_lede_chars: int = Field(
        default=200, ge=0, description="Places first named in the body's first N characters always count."
    )
    places_min_mentions: int = Field(
        default=3, ge=1, description="A country first named after the lede counts if named at least N times."
    )
    keywords_max: int = Field(default=8, ge=0, description="How many keywords to add; 0 turns keywords off.")
    keywords_text_chars: int = Field(
        default=600, ge=100, description="Keywords are drawn from the headline and the body's first N characters."
    )
    keywords_engine: KeywordEngine = Field(
        default="fast",
        description="'fast' (stopwords and position, ~0.1 ms a story) or 'yake' (statistical, ~4 ms a story).",
    )
    topics_min_hits: int = Field(
        default=2, ge=1, description="Keyword-rule hits a media topic needs before uncoded copy gets it."
    )
    entities: bool = Field(default=True, description="Find people and organisations (Russian: natasha NER).")

    # translation
    translation_routes: str = Field(
        default="",
        description="Per-pair backend, 'es-en=apertium,fr-en=libretranslate,*-en=deepl'; empty turns translation off.",
    )
    libretranslate_url: str = Field(default="http://127.0.0.1:5000", description="LibreTranslate base URL.")
    libretranslate_api_key: str = Field(default="", description="LibreTranslate API key, if the server needs one.")
    deepl_url: str = Field(default="https://api-free.deepl.com", description="DeepL API base URL.")
    deepl_auth_key: str = Field(default="", description="DeepL authentication key.")
    apertium_url: str = Field(default="http://127.0.0.1:2737", description="Apertium APy base URL.")
    translation_timeout_s: float = Field(default=5.0, gt=0, description="Timeout of one translation request.")
    translation_retries: int = Field(default=2, ge=0, description="Retries after a 429, a 5xx or a timeout.")
    translation_backoff_s: float = Field(default=0.5, ge=0, description="First retry delay; doubles each retry.")
    translation_queue: int = Field(
        default=1000, ge=1, description="Stories waiting for translation; beyond this they go out 'failed'."
    )
    translation_concurrency: int = Field(default=4, ge=1, description="Translations in flight at once.")
    translation_cache_entries: int = Field(
        default=100_000,
        ge=0,
        description="Translations kept in WIREDESK_STATE_DIR/enrich/<namespace>translations.sqlite3 across "
        "restarts, least recently used dropped first; 0 keeps them in memory only.",
    )
    breaker_failures: int = Field(default=5, ge=1, description="Consecutive failures that open a backend's breaker.")
    breaker_reset_s: float = Field(default=30.0, gt=0, description="How long an open breaker waits to half-open.")

    @property
    def languages(self) -> list[str]:
        """`desk_languages` as a list."""
        return _codes(self.desk_languages)

    @property
    def routes(self) -> dict[str, str]:
        """`translation_routes` as {"es-en": "apertium", "*-en": "deepl"}."""
        routes: dict[str, str] = {}
        for item in _codes(self.translation_routes):
            pair, _, backend = item.partition("=")
            if backend.strip():
                routes[pair.strip()] = backend.strip()
        return routes
