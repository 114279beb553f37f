"""Knowledge-base retrieval quality and latency, through the product's own code path.

    python bench/kb_eval.py --data ../shared/eval/kb [--backend sqlite|postgres]
        [--database-url postgresql://postgres@127.0.0.1:5432/lagniappe_kbeval]
        [--distractors ../shared/eval/kb] [--limit 10] [--untitled article-id|body-start]
        [--show-misses] [--classify-misses]

DATA is one folder holding articles.jsonl and queries.jsonl, or a folder of such folders
(one per language, as ../shared/eval/kb/<lang>/). A fresh database is made (SQLite under a
temporary LAGNIAPPE_HOME, or the named PostgreSQL database dropped and created), migrated,
and every article is written through lagniappe.knowledge.services (article_create,
translation_save, article_publish) into one brand per folder. Every query then goes through
lagniappe.knowledge.selectors.article_search as a customer of that brand would search, in
the query's language. With --distractors, the articles of the same-language folder there are
indexed into the brand too (mixing customer-phrased articles into a large set).

Prints one JSON line per figure and folder: recall@1, recall@5, MRR of the first relevant
article (0 when not in the first --limit), and search latency p50/p95 in milliseconds.

--classify-misses adds, for the questions whose labelled article is not first, how many of
the question's analyzer terms the first result and the labelled article each hold (first
holds more / as many / fewer, or the same text): a reading-comprehension label is not always
the only article that answers (docs/subsystems/search.md, "Where Indonesian's gap comes from").
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


def _folders(data: Path) -> list[Path]:
    if (data / "articles.jsonl").exists():
        return [data]
    return sorted(p for p in data.iterdir() if (p / "articles.jsonl").exists())


def _postgres_fresh(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def _setup(args: argparse.Namespace) -> None:
    home = tempfile.mkdtemp(prefix="lagniappe-kbeval-")
    os.environ["LAGNIAPPE_HOME"] = home
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lagniappe.config.settings.embedded")
    if args.backend == "postgres":
        _postgres_fresh(args.database_url)
        os.environ["LAGNIAPPE_DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("LAGNIAPPE_DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _index(
    brand: Any, articles: list[dict[str, Any]], untitled: str = "article-id"
) -> dict[int, str]:
    from django.db import transaction

    from lagniappe.core.actors import SYSTEM
    from lagniappe.core.sanitising import text_to_html
    from lagniappe.knowledge.services import article_create, article_publish, translation_save

    ids: dict[int, str] = {}
    with transaction.atomic():
        for number, row in enumerate(articles):
            article = article_create(actor=SYSTEM, brand=brand, slug=f"a{number}")
            translation_save(
                actor=SYSTEM,
                article=article,
                language=row["lang"],
                # FacQA passages have no titles; a product article always has one (services
                # refuse an empty title, import takes the first heading). "article-id" (the
                # default) stands in a title that adds no word of the passage, so the passage
                # is ranked on its own words as a real one would be beside its real title;
                # "body-start" repeats the first 60 characters, weighted x3 as a title, which
                # no author writes (kept to compare with earlier figures).
                title=row["title"] or (row["id"] if untitled == "article-id" else row["body"][:60]),
                body_html=text_to_html(row["body"]),
            )
            article_publish(actor=SYSTEM, article=article)
            ids[article.pk] = row["id"]
    return ids


def _miss_kind(query: dict[str, Any], first: dict[str, Any], labelled: dict[str, Any]) -> str:
    from lagniappe.engines.textsearch import query_terms

    if first["body"].casefold() == labelled["body"].casefold():
        return "same_text"
    asked = set(query_terms(query["query"], query["lang"]))

    def held(article: dict[str, Any]) -> int:
        text = f"{article['title']} {article['body']}"
        return len(asked & set(query_terms(text, query["lang"])))

    first_held, labelled_held = held(first), held(labelled)
    if first_held == labelled_held:
        return "first_holds_as_many"
    return "first_holds_more" if first_held > labelled_held else "first_holds_fewer"


def _evaluate(
    folder: Path, args: argparse.Namespace, number: int
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    from lagniappe.core.actors import SYSTEM
    from lagniappe.knowledge.selectors import article_search
    from lagniappe.tenancy.services import brand_create, organisation_create

    organisation = organisation_create(actor=SYSTEM, name=f"Eval {number}", slug=f"eval{number}")
    brand = brand_create(
        actor=SYSTEM, organisation=organisation, name=folder.name, slug=f"eval{number}"
    )
    articles = _rows(folder / "articles.jsonl")
    if args.distractors:
        extra = Path(args.distractors) / folder.name / "articles.jsonl"
        if extra.exists():
            articles += _rows(extra)
    started = time.perf_counter()
    ids = _index(brand, articles, args.untitled)
    index_seconds = time.perf_counter() - started
    # What the worker does after each save: the translations' meaning vectors.
    from lagniappe.knowledge.vector_services import translation_vectors_refresh

    started = time.perf_counter()
    vectors = translation_vectors_refresh() if not args.words_only else 0
    vector_seconds = time.perf_counter() - started
    if args.backend == "postgres":
        # What autovacuum does soon after a bulk load: merge the GIN pending list and give the
        # planner row counts, so that term counts use the index (without it: ~10x slower).
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE knowledge_search")
    queries = _rows(folder / "queries.jsonl")
    ranks: list[int | None] = []
    by_id = {row["id"]: row for row in articles}
    miss_kinds: dict[str, int] = {}
    latencies: list[float] = []
    from lagniappe.engines.textsearch.semantic import EMBEDDER

    for query in queries:
        EMBEDDER.forget_queries()  # a repeated question is timed with the encoder's work too
        started = time.perf_counter()
        hits = article_search(brand, query["query"], language=query["lang"], limit=args.limit)
        latencies.append((time.perf_counter() - started) * 1000)
        found = [ids[hit.article_id] for hit in hits]
        relevant = set(query["relevant"])
        rank = next((i + 1 for i, a in enumerate(found) if a in relevant), None)
        ranks.append(rank)
        if args.classify_misses and rank != 1:
            labelled = by_id[query["relevant"][0]]
            kind = _miss_kind(query, by_id[found[0]], labelled) if found else "nothing_found"
            miss_kinds[kind] = miss_kinds.get(kind, 0) + 1
        if args.show_misses and (rank is None or rank > 5):
            print(
                json.dumps(
                    {
                        "miss": query["query"],
                        "rank": rank,
                        "got": found[:3],
                        "want": query["relevant"],
                    },
                    ensure_ascii=False,
                ),
                file=sys.stderr,
            )
    n = len(ranks) or 1
    latencies.sort()
    common = {
        "dataset": str(folder),
        "backend": args.backend,
        "queries": len(ranks),
        "untitled": args.untitled,
        "meaning": not args.words_only,
    }
    p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))] if latencies else 0.0
    return [
        {"figure": "kb_recall_at_1", "value": sum(r == 1 for r in ranks) / n, "unit": "ratio"},
        {
            "figure": "kb_recall_at_5",
            "value": sum(r is not None and r <= 5 for r in ranks) / n,
            "unit": "ratio",
        },
        {"figure": "kb_mrr", "value": sum(1 / r for r in ranks if r) / n, "unit": "ratio"},
        {
            "figure": "kb_search_latency_p50",
            "value": statistics.median(latencies) if latencies else 0.0,
            "unit": "ms",
        },
        {"figure": "kb_search_latency_p95", "value": p95, "unit": "ms"},
        {"figure": "kb_index_seconds", "value": index_seconds, "unit": "s"},
        {"figure": "kb_vector_seconds", "value": vector_seconds, "unit": "s", "vectors": vectors},
        *(
            {"figure": f"kb_not_first_{kind}", "value": count, "unit": "queries"}
            for kind, count in sorted(miss_kinds.items())
        ),
    ], common


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/lagniappe_kbeval"
    )
    parser.add_argument("--distractors", default="")
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument("--show-misses", action="store_true", help="queries not in the top 5")
    parser.add_argument(
        "--classify-misses",
        action="store_true",
        help="count the questions not ranked first by which article holds more of their words",
    )
    parser.add_argument(
        "--words-only",
        action="store_true",
        help="rank by words alone (LAGNIAPPE_SEARCH_MEANING=0): the baseline of meaning matching",
    )
    parser.add_argument(
        "--untitled",
        choices=["body-start", "article-id"],
        default="article-id",
        help="title given to an article the data set has none for (kb/id); article-id adds "
        "no word of the passage, body-start (the default before 2026-11-25) repeats its start",
    )
    args = parser.parse_args(argv)
    folders = _folders(args.data)
    if not folders:
        print(f"no articles.jsonl under {args.data}", file=sys.stderr)
        return 2
    if args.words_only:
        os.environ["LAGNIAPPE_SEARCH_MEANING"] = "0"
    _setup(args)
    for number, folder in enumerate(folders):
        figures, common = _evaluate(folder, args, number)
        for figure in figures:
            language = folder.name
            print(
                json.dumps(
                    {**figure, "value": round(figure["value"], 4), "language": language, **common},
                    ensure_ascii=False,
                ),
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
