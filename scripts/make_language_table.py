"""Regenerate ``extractor/data/languages.json`` from Debian's iso-codes package (a dev-only script).

The table maps a folded language code or name (ISO 639-2/B and /T codes, ISO 639-1 codes, English
names, and the names of each language in the locales below, from iso-codes' gettext catalogues) to
its ISO 639-1 code. Run it where ``apt-get install iso-codes`` has been done::

    python scripts/make_language_table.py > extractor/data/languages.json

Names that fold to the same key but mean different languages are dropped as ambiguous.
"""

from __future__ import annotations

import gettext
import json
import re
import sys
import unicodedata
from collections import defaultdict

ISO_JSON = "/usr/share/iso-codes/json/iso_639-2.json"
LOCALES = (
    "ar bg ca cs da de el es et eu fa fi fr gl he hr hu id it ja ko lt lv nb nl pl pt pt_BR ro ru sk "
    "sl sr sv th tr uk vi zh_CN zh_TW"
).split()


def fold(text: str) -> str:
    """Casefold and strip accents, as ``extractor.normalise.language_code`` does."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c)).strip()


def variants(name: str) -> set[str]:
    """'Greek, Modern (1453-)' -> {'greek, modern (1453-)', 'greek, modern', 'greek', 'modern greek'}."""
    out: set[str] = set()
    for part in name.split(";"):
        part = part.strip()
        bare = re.sub(r"\s*\(.*?\)", "", part).strip()
        out.update(p for p in (part, bare) if p)
        if ", " in bare:
            head, _, tail = bare.partition(", ")
            out.update({head, f"{tail} {head}"})
    return {fold(v) for v in out}


def main() -> None:
    entries = [e for e in json.load(open(ISO_JSON))["639-2"] if "alpha_2" in e]
    table: dict[str, set[str]] = defaultdict(set)
    for e in entries:
        for code in (e["alpha_2"], e["alpha_3"], e.get("bibliographic")):
            if code:
                table[code].add(e["alpha_2"])
        for key in variants(e["name"]):
            table[key].add(e["alpha_2"])
    for loc in LOCALES:
        tr = gettext.translation("iso_639-2", "/usr/share/locale", languages=[loc], fallback=True)
        for e in entries:
            translated = tr.gettext(e["name"])
            if translated != e["name"]:
                for key in variants(translated):
                    table[key].add(e["alpha_2"])
    flat = {k: next(iter(v)) for k, v in sorted(table.items()) if len(v) == 1 and k}
    json.dump(flat, sys.stdout, ensure_ascii=False, indent=0, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
