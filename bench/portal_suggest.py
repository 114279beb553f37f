"""Server time of the help centre's suggest-as-you-type and search pages on an eval-sized index.

Indexes every article of ../shared/eval/kb/<lang>/ into one brand (a fresh embedded SQLite
database under a temporary LAGNIAPPE_HOME), then requests /help/<brand>/suggest?q=<prefix> and
/help/<brand>/search?q=<query> through Django's test client for the first N queries of each
language, and the same query through knowledge.selectors.article_search alone. Prints one JSON
line per figure: median and p95 milliseconds per language.

With --articles N the eval articles are indexed again until the brand holds N, each copy
with another paragraph of its language after its text (so that no two articles are alike).
Meaning vectors are computed through the product (vector_services) for the original
articles (or the first --embed of them); every copy is given the stored vector of the
article whose text it starts with (a bench fixture that spares ≈ 0.1–0.5 s of CPU per copy;
search time depends on how many vectors there are, not on their values).

    .venv/bin/python bench/portal_suggest.py --data ../shared/eval/kb --queries 100
    .venv/bin/python bench/portal_suggest.py --data ../shared/eval/kb --articles 10000
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


def _index(brand: Any, folders: list[Path], articles: int) -> int:
    from django.db import transaction

    from lagniappe.core.actors import SYSTEM
    from lagniappe.core.sanitising import text_to_html
    from lagniappe.knowledge.services import article_create, article_publish, translation_save

    rows = [row for folder in folders for row in _rows(folder / "articles.jsonl")]
    total = max(articles, len(rows))
    with transaction.atomic():
        for count in range(total):
            row = rows[count % len(rows)]
            body = row["body"]
            if count >= len(rows):
                # A copy is made a distinct article: its text followed by another paragraph of
                # the same language (no two copies score alike, as no two real articles do).
                partner = rows[(count * 7 + 3) % len(rows)]
                if partner["lang"] == row["lang"]:
                    body = f"{body}\n\n{partner['body']}"
                else:
                    body = f"{body}\n\n{body[: len(body) // 2]}"
            article = article_create(actor=SYSTEM, brand=brand, slug=f"a{count}")
            translation_save(
                actor=SYSTEM,
                article=article,
                language=row["lang"],
                title=row["title"] or row["body"][:60],
                body_html=text_to_html(body),
            )
            article_publish(actor=SYSTEM, article=article)
    return total


def _vectors(originals: int, embed: int) -> int:
    """Vectors for the first `embed` translations through the product; copies take theirs."""
    from django.db import transaction

    from lagniappe.knowledge.models import ArticleTranslation, TranslationVector
    from lagniappe.knowledge.vector_services import translation_vectors_refresh

    ids = list(ArticleTranslation.objects.order_by("pk").values_list("pk", flat=True))
    computed = translation_vectors_refresh(translation_ids=ids[:embed])
    stored = {v.pk: v for v in TranslationVector.objects.filter(pk__in=ids[:embed])}
    with transaction.atomic():
        for position, translation_id in enumerate(ids[embed:], start=embed):
            source = stored.get(ids[position % originals]) if position % originals < embed else None
            if source is None:
                continue  # its original has no vector: found by words alone, as in the product
            TranslationVector.objects.create(
                translation_id=translation_id,
                brand_id=source.brand_id,
                language=source.language,
                version=1,
                model=source.model,
                vector=source.vector,
                computed_at=source.computed_at,
            )
    return computed


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
    parser.add_argument("--articles", type=int, default=0, help="index copies up to this many")
    parser.add_argument("--embed", type=int, default=10**9, help="vectors computed, not copied")
    args = parser.parse_args()
    folders = sorted(p for p in Path(args.data).iterdir() if (p / "articles.jsonl").exists())
    _setup()
    from django.test import Client

    from lagniappe.core.actors import SYSTEM
    from lagniappe.knowledge.selectors import article_search
    from lagniappe.tenancy.services import brand_create, organisation_create

    organisation = organisation_create(actor=SYSTEM, name="Bench", slug="bench")
    brand = brand_create(actor=SYSTEM, organisation=organisation, name="Bench", slug="bench")
    articles = _index(brand, folders, args.articles)
    originals = sum(len(_rows(folder / "articles.jsonl")) for folder in folders)
    computed = _vectors(originals, min(args.embed, originals))
    client = Client(HTTP_HOST="localhost")
    client.get("/help/bench/suggest", {"q": "warm up"})
    for folder in folders:
        queries = [row["query"] for row in _rows(folder / "queries.jsonl")][: args.queries]
        suggest_ms: list[float] = []
        search_ms: list[float] = []
        selector_ms: list[float] = []
        for query in queries:
            prefix = query[: max(2, len(query) // 2)]  # half-typed
            started = time.perf_counter()
            assert client.get("/help/bench/suggest", {"q": prefix}).status_code == 200
            suggest_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            assert client.get("/help/bench/search", {"q": query}).status_code == 200
            search_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            article_search(brand, query, language=folder.name)
            selector_ms.append((time.perf_counter() - started) * 1000)
        extra = {
            "language": folder.name,
            "articles": articles,
            "vectors_computed": computed,
            "queries": len(queries),
        }
        _figure("portal_suggest", suggest_ms, **extra)
        _figure("portal_search", search_ms, **extra)
        _figure("kb_search", selector_ms, **extra)
    return 0


if __name__ == "__main__":
    sys.exit(main())
