"""A folder of Markdown / HTML files in and out of a brand's knowledge base.

Format, one file per article translation:
- `.md`: an optional front matter block (`---` lines around `key: value` lines) with title,
  slug, language, category, visibility, translation_of; then Markdown (CommonMark).
- `.html`: the title in `<title>`, the same keys in `<meta name="…" content="…">`, the text
  in `<body>`.
The slug defaults to the file name, the language to a `.<language>` suffix of the name (as in
`refund.zh-Hant.md`) or the brand's default. `translation_of` names the slug of the article
this file translates. Everything is written through the services, which sanitise the HTML and
keep the index and the versions; importing the same folder twice changes nothing, importing an
edited file makes a new version of its translation.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from markdown_it import MarkdownIt

from lagniappe.core.actors import Actor
from lagniappe.core.errors import DomainError, InvalidInput
from lagniappe.core.languages import Language, language_normalise
from lagniappe.core.sanitising import html_sanitise
from lagniappe.knowledge.models import Article, ArticleTranslation
from lagniappe.knowledge.services import (
    article_create,
    article_publish,
    article_update,
    translation_save,
)
from lagniappe.tenancy.models import Brand

KEYS = ("title", "slug", "language", "category", "visibility", "translation_of")
MAX_FILE_BYTES = 2_000_000
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_BODY = re.compile(r"<body[^>]*>(.*)</body\s*>", re.DOTALL | re.IGNORECASE)
_HEADING = re.compile(r"\A\s*#\s+(.+?)\s*#*\s*$", re.MULTILINE)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportedFile:
    """One file, read: its keys (as given, or derived) and its body as HTML."""

    path: Path
    slug: str
    language: str
    title: str
    body_html: str
    category: str | None
    visibility: str | None
    translation_of: str


@dataclass(frozen=True)
class ImportSummary:
    articles_created: int
    translations_saved: int
    unchanged: int
    failed: int
    errors: tuple[str, ...]  # "file: reason", one per failed file


class _HeadReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag == "meta":
            values = dict(attrs)
            name, content = (values.get("name") or "").lower(), values.get("content")
            if name in KEYS and content is not None:
                self.meta[name] = content

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def _markdown(text: str) -> tuple[dict[str, str], str]:
    keys: dict[str, str] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        for line in match.group(1).splitlines():
            name, sep, value = line.partition(":")
            if sep and name.strip().lower() in KEYS:
                keys[name.strip().lower()] = value.strip().strip("\"'")
        text = text[match.end() :]
    if "title" not in keys and (heading := _HEADING.search(text)):
        # No title given: the first top-level heading is the title, not part of the body.
        keys["title"] = heading.group(1)
        text = text[: heading.start()] + text[heading.end() :]
    # Raw HTML inside Markdown is allowed here; the services sanitise whatever it renders to.
    return keys, MarkdownIt("commonmark", {"html": True}).render(text)


def _html(text: str) -> tuple[dict[str, str], str]:
    reader = _HeadReader()
    reader.feed(text)
    reader.close()
    keys = dict(reader.meta)
    if reader.title.strip():
        keys["title"] = reader.title
    body = _BODY.search(text)
    return keys, body.group(1) if body else text


def _name_parts(path: Path) -> tuple[str, str]:
    """(slug, language) from a name like `refund.zh-Hant.md`; language "" when not named."""
    stem = path.name[: -len(path.suffix)]
    base, dot, last = stem.rpartition(".")
    if dot and language_normalise(last) in Language.values:
        return base, language_normalise(last)
    return stem, ""


def file_read(path: Path, default_language: str) -> ImportedFile:
    """One file of the folder; InvalidInput when it cannot be an article."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InvalidInput("The file is too large.")
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    keys, body = _markdown(text) if path.suffix.lower() == ".md" else _html(text)
    slug_from_name, language_from_name = _name_parts(path)
    language = language_normalise(keys.get("language", "") or language_from_name)
    return ImportedFile(
        path=path,
        slug=keys.get("slug") or slug_from_name,
        language=language or default_language,
        title=keys.get("title", "").strip(),
        body_html=body.strip(),
        category=keys.get("category"),
        visibility=keys.get("visibility") or None,
        translation_of=keys.get("translation_of", ""),
    )


def folder_files(folder: Path) -> list[Path]:
    """The folder's articles (recursively), in a stable order."""
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and path.suffix.lower() in {".md", ".html", ".htm"}
    )


def _unchanged(article: Article, item: ImportedFile) -> bool:
    current = ArticleTranslation.objects.filter(article=article, language=item.language).first()
    return (
        current is not None
        and current.title == " ".join(item.title.split())[:300]
        # Sanitising can leave whitespace where it removed a tag; the export strips it.
        and current.body_html.strip() == html_sanitise(item.body_html).strip()
    )


def _import_one(
    *, actor: Actor, brand: Brand, item: ImportedFile, publish: bool
) -> tuple[bool, bool]:
    """(article created, translation saved)."""
    owner = item.translation_of or item.slug
    article = Article.objects.filter(brand=brand, slug=owner).first()
    created = article is None
    if article is None:
        if item.translation_of:
            raise InvalidInput(f"translation_of names no article: {item.translation_of}")
        article = article_create(
            actor=actor,
            brand=brand,
            slug=owner,
            category=item.category or "",
            visibility=item.visibility or Article.Visibility.PUBLIC,
        )
    elif not item.translation_of:  # the article's own file sets its filing and audience
        article = article_update(
            actor=actor, article=article, category=item.category, visibility=item.visibility
        )
    saved = False
    if not _unchanged(article, item):
        translation_save(
            actor=actor,
            article=article,
            language=item.language,
            title=item.title,
            body_html=item.body_html,
        )
        saved = True
    if publish:
        article_publish(actor=actor, article=article)
    return created, saved


def folder_import(
    *,
    actor: Actor,
    brand: Brand,
    folder: Path,
    publish: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import every article file of `folder` into `brand`; one bad file never stops the rest."""
    paths = folder_files(folder)
    items: list[ImportedFile] = []
    errors: list[str] = []
    for path in paths:
        try:
            items.append(file_read(path, brand.default_language))
        except (OSError, InvalidInput) as error:
            errors.append(f"{path.name}: {getattr(error, 'message', error)}")
    # Originals before their translations, so translation_of always finds its article.
    items.sort(key=lambda item: (bool(item.translation_of), str(item.path)))
    created = saved = unchanged = 0
    for done, item in enumerate(items, start=1):
        try:
            was_created, was_saved = _import_one(
                actor=actor, brand=brand, item=item, publish=publish
            )
        except DomainError as error:
            errors.append(f"{item.path.name}: {error.message}")
        else:
            created += was_created
            saved += was_saved
            unchanged += not was_saved
        if progress is not None:
            progress(done, len(items))
    return ImportSummary(
        articles_created=created,
        translations_saved=saved,
        unchanged=unchanged,
        failed=len(errors),
        errors=tuple(errors),
    )


def _export_html(article: Article, translation: ArticleTranslation) -> str:
    meta = {
        "slug": article.slug,
        "language": translation.language,
        "category": article.category,
        "visibility": article.visibility,
    }
    tags = "\n".join(
        f'<meta name="{name}" content="{html.escape(value, quote=True)}">'
        for name, value in meta.items()
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{translation.language}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(translation.title)}</title>\n{tags}\n</head>\n"
        f"<body>\n{translation.body_html}\n</body>\n</html>\n"
    )


def folder_export(*, brand: Brand, folder: Path, progress: Progress | None = None) -> int:
    """Write every translation of the brand's articles as `<slug>.<language>.html`; the count."""
    folder.mkdir(parents=True, exist_ok=True)
    translations = list(
        ArticleTranslation.objects.filter(article__brand=brand)
        .select_related("article")
        .order_by("article__slug", "language")
    )
    for done, translation in enumerate(translations, start=1):
        name = f"{translation.article.slug}.{translation.language}.html"
        (folder / name).write_text(_export_html(translation.article, translation), "utf-8")
        if progress is not None:
            progress(done, len(translations))
    return len(translations)
