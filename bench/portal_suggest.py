"""Server time of the help centre's suggest-as-you-type and search pages on an eval-sized index.

Indexes every article of ../shared/eval/kb/<lang>/ into one brand (a fresh embedded SQLite
database under a temporary LAGNIAPPE_HOME), then requests /help/<brand>/suggest?q=<prefix> and
/help/<brand>/search?q=<query> through Django's test client for the first N queries of each
language. Prints one JSON line per figure: median and p95 milliseconds per language.

    .venv/bin/python bench/portal_suggest.py --data ../shared/eval/kb --queries 100
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _rows(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _setup() -> None:
    os.environ["LAGNIAPPE_HOME"] = tempfile.mkdtemp(prefix="lagniappe-portal-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lagniappe.config.settings.embedded")
    os.environ.pop("LAGNIAPPE_DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _index(brand: Any, folders: list[Path]) -> int:
    from django.db import transaction

    from lagniappe.core.actors import SYSTEM
    from lagniappe.core.sanitising import text_to_html
    from lagniappe.knowledge.services import article_create, article_publish, translation_save

    count = 0
    with transaction.atomic():
        for folder in folders:
            for row in _rows(folder / "articles.jsonl"):
                article = article_create(actor=SYSTEM, brand=brand, slug=f"a{count}")
                translation_save(
                    actor=SYSTEM,
                    article=article,
                    language=row["lang"],
                    title=row["title"] or row["body"][:60],
                    body_html=text_to_html(row["body"]),
                )
                article_publish(actor=SYSTEM, article=article)
                count += 1
    return count


def _figure(name: str, values: list[float], **extra: Any) -> None:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    for stat, value in (("median", statistics.median(values)), ("p95", p95)):
        print(
            json.dumps(
                {"figure": f"{name}_{stat}", "value": round(value, 2), "unit": "ms", **extra}
            )
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", required=True, help="a folder of <lang>/articles.jsonl, queries.jsonl"
    )
    parser.add_argument("--queries", type=int, default=100, help="queries per language")
    args = parser.parse_args()
    folders = sorted(p for p in Path(args.data).iterdir() if (p / "articles.jsonl").exists())
    _setup()
    from django.test import Client

    from lagniappe.core.actors import SYSTEM
    from lagniappe.tenancy.services import brand_create, organisation_create

    organisation = organisation_create(actor=SYSTEM, name="Bench", slug="bench")
    brand = brand_create(actor=SYSTEM, organisation=organisation, name="Bench", slug="bench")
    articles = _index(brand, folders)
    client = Client(HTTP_HOST="localhost")
    client.get("/help/bench/suggest", {"q": "warm up"})
    for folder in folders:
        queries = [row["query"] for row in _rows(folder / "queries.jsonl")][: args.queries]
        suggest_ms: list[float] = []
        search_ms: list[float] = []
        for query in queries:
            prefix = query[: max(2, len(query) // 2)]  # half-typed
            started = time.perf_counter()
            assert client.get("/help/bench/suggest", {"q": prefix}).status_code == 200
            suggest_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            assert client.get("/help/bench/search", {"q": query}).status_code == 200
            search_ms.append((time.perf_counter() - started) * 1000)
        extra = {"language": folder.name, "articles": articles, "queries": len(queries)}
        _figure("portal_suggest", suggest_ms, **extra)
        _figure("portal_search", search_ms, **extra)
    return 0


if __name__ == "__main__":
    sys.exit(main())
