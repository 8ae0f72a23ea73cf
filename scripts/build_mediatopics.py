"""Build services/enrich/data/mediatopics.json, the compact media-topic table the enrich core reads.

    python scripts/build_mediatopics.py [VOCAB_DIR]

VOCAB_DIR defaults to ../shared/vocab. From IPTC's Media Topics SKOS JSON (CC BY 4.0) it keeps, for
every current (not retired) topic, its code, English label and parent, and for every IPTC subject
code the topic that IPTC maps to it (skos:exactMatch, else closeMatch). Only the compact table is
committed; the vocabulary itself stays outside the project.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "services" / "enrich" / "data" / "mediatopics.json"
SUBJECT_PREFIX = "http://cv.iptc.org/newscodes/subjectcode/"
TOPIC_PREFIX = "http://cv.iptc.org/newscodes/mediatopic/"


def newest_vocabulary(vocab_dir: Path) -> Path:
    """The newest English Media Topics file in `vocab_dir`/iptc-mediatopic."""
    candidates = sorted((vocab_dir / "iptc-mediatopic").glob("mediatopic_*_en-GB.json"))
    if not candidates:
        raise SystemExit(f"no mediatopic_*_en-GB.json under {vocab_dir / 'iptc-mediatopic'}")
    return candidates[-1]


def compact(vocabulary: dict[str, Any]) -> dict[str, Any]:
    """The code/label/parent table and the subject-code mapping of one SKOS concept set."""
    topics: dict[str, list[str | None]] = {}
    mapping: dict[str, list[str]] = {}
    for concept in vocabulary["conceptSet"]:
        if concept.get("retired"):
            continue
        code = concept["qcode"].removeprefix("medtop:")
        broader = [uri.removeprefix(TOPIC_PREFIX) for uri in concept.get("broader", [])]
        topics[code] = [concept["prefLabel"]["en-GB"], broader[0] if broader else None]
        for relation in ("exactMatch", "closeMatch"):
            for uri in concept.get(relation, []):
                if uri.startswith(SUBJECT_PREFIX):
                    mapping.setdefault(uri.removeprefix(SUBJECT_PREFIX), [code, relation.removesuffix("Match")])
    return {
        "_source": f"IPTC Media Topics {vocabulary.get('dateReleased', '')}, CC BY 4.0, https://iptc.org/",
        "topics": dict(sorted(topics.items())),
        "from_subject": dict(sorted(mapping.items())),
    }


def main() -> None:
    """Write the compact table from the vocabulary folder named on the command line."""
    vocab_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "vocab"
    source = newest_vocabulary(vocab_dir)
    table = compact(json.loads(source.read_text("utf-8")))
    OUTPUT.write_text(json.dumps(table, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    sys.stderr.write(f"{OUTPUT}: {len(table['topics'])} topics, {len(table['from_subject'])} subject codes\n")


if __name__ == "__main__":
    main()
