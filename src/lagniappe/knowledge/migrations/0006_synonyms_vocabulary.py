"""Synonym groups and the spelling vocabulary; every translation re-indexed.

The Japanese analyzer changed (normalised forms plus mode B parts of compounds, no character
bigrams), so existing rows are analysed again; the vocabulary is built from every translation.
"""

import secrets

import django.db.models.deletion
from django.db import migrations, models


def reindex(apps, schema_editor):
    from lagniappe.engines.textsearch import analyzer_family, index_text, word_term
    from lagniappe.engines.textsearch.expansion import latin_words
    from lagniappe.knowledge.search_index import index_put

    translation_model = apps.get_model("knowledge", "ArticleTranslation")
    vocabulary_model = apps.get_model("knowledge", "SearchVocabulary")
    word_model = apps.get_model("knowledge", "SearchWord")
    counts: dict[tuple[int, str], dict[tuple[str, str], int]] = {}
    rows = translation_model.objects.values_list(
        "pk", "language", "title", "body_text", "article__brand_id"
    )
    for pk, language, title, body_text, brand_id in rows.iterator():
        index_put(pk, index_text(title, language), index_text(body_text, language))
        bucket = counts.setdefault((brand_id, analyzer_family(language)), {})
        for word in latin_words(title) | latin_words(body_text):
            key = (word, word_term(word, language)[:64])
            bucket[key] = bucket.get(key, 0) + 1
    for (brand_id, family), words in counts.items():
        vocabulary = vocabulary_model.objects.create(
            brand_id=brand_id, family=family, version=secrets.randbits(62)
        )
        word_model.objects.bulk_create(
            [
                word_model(vocabulary=vocabulary, word=w, term=t, documents=n)
                for (w, t), n in words.items()
            ],
            batch_size=1000,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0005_versions_related"),
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchVocabulary",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("family", models.CharField(max_length=8, verbose_name="language family")),
                ("version", models.PositiveBigIntegerField(default=0, verbose_name="version")),
                (
                    "brand",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenancy.brand",
                        verbose_name="brand",
                    ),
                ),
            ],
            options={
                "verbose_name": "search vocabulary",
                "verbose_name_plural": "search vocabularies",
            },
        ),
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("word", models.CharField(max_length=64, verbose_name="word")),
                ("term", models.CharField(max_length=64, verbose_name="term")),
                ("documents", models.PositiveIntegerField(default=0, verbose_name="translations")),
                (
                    "vocabulary",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="words",
                        to="knowledge.searchvocabulary",
                        verbose_name="vocabulary",
                    ),
                ),
            ],
            options={
                "verbose_name": "search vocabulary word",
                "verbose_name_plural": "search vocabulary words",
            },
        ),
        migrations.CreateModel(
            name="SynonymGroup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[
                            ("en", "English"),
                            ("zh-Hant", "Traditional Chinese"),
                            ("zh-Hans", "Simplified Chinese"),
                            ("ja", "Japanese"),
                            ("id", "Indonesian"),
                        ],
                        max_length=8,
                        verbose_name="language",
                    ),
                ),
                (
                    "terms",
                    models.TextField(
                        help_text="One word or phrase per line, each meaning the same thing.",
                        verbose_name="terms",
                    ),
                ),
                ("updated_at", models.DateTimeField(verbose_name="updated")),
                (
                    "brand",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenancy.brand",
                        verbose_name="brand",
                    ),
                ),
            ],
            options={
                "verbose_name": "synonym group",
                "verbose_name_plural": "synonym groups",
                "ordering": ["brand_id", "language", "id"],
            },
        ),
        migrations.AddConstraint(
            model_name="searchvocabulary",
            constraint=models.UniqueConstraint(
                fields=("brand", "family"), name="kb_vocabulary_brand_family"
            ),
        ),
        migrations.AddConstraint(
            model_name="searchword",
            constraint=models.UniqueConstraint(
                fields=("vocabulary", "word"), name="kb_searchword_word"
            ),
        ),
        migrations.AddIndex(
            model_name="synonymgroup",
            index=models.Index(fields=["brand", "language"], name="kb_synonym_brand_lang"),
        ),
        migrations.RunPython(reindex, migrations.RunPython.noop),
    ]
