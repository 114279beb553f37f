"""Server time of the help centre's suggest-as-you-type and search pages on an eval-sized index.

Indexes every article of ../shared/eval/kb/<lang>/ into one brand (a fresh embedded SQLite
database under a temporary LAGNIAPPE_HOME), then requests /help/<brand>/suggest?q=<prefix> and
/help/<brand>/search?q=<query> through Django's test client for the first N queries of each
language, and the same query through knowledge.selectors.article_search alone. Prints one JSON
line per figure: median and p95 milliseconds per language.

With --articles N the eval articles are indexed again until the brand holds N. Two ways to
make the copies (--copies):
- `prefix` (the default, as before 2026-12-07 afternoon): each copy is an eval article's whole
  text followed by another paragraph of its language. Every question then finds its article
  and one or two near-duplicates that hold all of its text: the word ranking's best never
  leads clearly, so the encoder runs for every question (the worst case for search time).
- `mixed`: each copy is the second half of one eval article followed by the first half of
  another of its language. No copy holds another article whole, as in a real knowledge base
  where related articles share some sentences, not every one.
Meaning vectors are computed through the product (vector_services) for the original
articles (or the first --embed of them); every other article is given one of the computed
vectors in turn, a copy the vector of the article it was made from (a bench fixture that
spares ≈ 0.1–0.5 s of CPU per article; search time depends on how many vectors there are,
not on their values).

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


def _halves(text: str) -> tuple[str, str]:
    middle = len(text) // 2
    cut = text.find(" ", middle)  # at a space where there is one (Latin scripts)
    cut = cut if 0 < cut < middle + 40 else middle
    return text[:cut].strip(), text[cut:].strip()


def _copy_body(rows: list[dict[str, Any]], count: int, copies: str) -> str:
    row = rows[count % len(rows)]
    partner = rows[(count * 7 + 3) % len(rows)]
    if copies == "prefix":
        # Its text followed by another paragraph of its language (no two copies score alike).
        if partner["lang"] == row["lang"]:
            return f"{row['body']}\n\n{partner['body']}"
        return f"{row['body']}\n\n{row['body'][: len(row['body']) // 2]}"
    start = (count * 7 + 3) % len(rows)
    partner = next(
        rows[(start + step) % len(rows)]
        for step in range(len(rows))
        if rows[(start + step) % len(rows)]["lang"] == row["lang"]
        and rows[(start + step) % len(rows)] is not row
    )
    return f"{_halves(row['body'])[1]}\n\n{_halves(partner['body'])[0]}"


def _index(brand: Any, folders: list[Path], articles: int, copies: str = "prefix") -> int:
    from django.db import transaction

    from lagniappe.core.actors import SYSTEM
    from lagniappe.core.sanitising import text_to_html
    from lagniappe.knowledge.services import article_create, article_publish, translation_save

    rows = [row for folder in folders for row in _rows(folder / "articles.jsonl")]
    total = max(articles, len(rows))
    with transaction.atomic():
        for count in range(total):
            row = rows[count % len(rows)]
            body = row["body"] if count < len(rows) else _copy_body(rows, count, copies)
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


def _vectors(embed: int) -> int:
    """Vectors for the first `embed` translations through the product; every other one takes
    a computed one in turn (search time depends on how many vectors there are)."""
    from django.db import transaction

    from lagniappe.knowledge.models import ArticleTranslation, TranslationVector
    from lagniappe.knowledge.vector_services import translation_vectors_refresh

    ids = list(ArticleTranslation.objects.order_by("pk").values_list("pk", flat=True))
    computed = translation_vectors_refresh(translation_ids=ids[:embed])
    stored = {v.pk: v for v in TranslationVector.objects.filter(pk__in=ids[:embed])}
    with transaction.atomic():
        for position, translation_id in enumerate(ids[embed:], start=embed):
            source = stored.get(ids[position % embed]) if embed else None
            if source is None:
                continue  # no vector: found by words alone, as in the product
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
    parser.add_argument(
        "--copies",
        choices=["prefix", "mixed"],
        default="prefix",
        help="how the copies beyond the eval articles are made (see above)",
    )
    args = parser.parse_args()
    folders = sorted(p for p in Path(args.data).iterdir() if (p / "articles.jsonl").exists())
    _setup()
    from django.test import Client

    from lagniappe.core.actors import SYSTEM
    from lagniappe.engines.textsearch.semantic import EMBEDDER
    from lagniappe.knowledge.selectors import article_search
    from lagniappe.tenancy.services import brand_create, organisation_create

    organisation = organisation_create(actor=SYSTEM, name="Bench", slug="bench")
    brand = brand_create(actor=SYSTEM, organisation=organisation, name="Bench", slug="bench")
    articles = _index(brand, folders, args.articles, args.copies)
    originals = sum(len(_rows(folder / "articles.jsonl")) for folder in folders)
    computed = _vectors(min(args.embed, originals))
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
            # Each search is timed with the encoder's work: no kept query vector helps it.
            EMBEDDER.forget_queries()
            started = time.perf_counter()
            assert client.get("/help/bench/search", {"q": query}).status_code == 200
            search_ms.append((time.perf_counter() - started) * 1000)
            EMBEDDER.forget_queries()
            started = time.perf_counter()
            article_search(brand, query, language=folder.name)
            selector_ms.append((time.perf_counter() - started) * 1000)
        extra = {
            "language": folder.name,
            "articles": articles,
            "vectors_computed": computed,
            "copies": args.copies,
            "queries": len(queries),
        }
        _figure("portal_suggest", suggest_ms, **extra)
        _figure("portal_search", search_ms, **extra)
        _figure("kb_search", selector_ms, **extra)
    return 0


if __name__ == "__main__":
    sys.exit(main())
