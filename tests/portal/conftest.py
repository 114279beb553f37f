"""A small knowledge base for the two brands of the shared world, built by services."""

from __future__ import annotations

import pytest

from lagniappe.core.actors import SYSTEM
from lagniappe.knowledge.services import article_create, article_publish, translation_save


def article_make(brand, slug, translations, *, publish=True, visibility="public", category=""):
    article = article_create(
        actor=SYSTEM, brand=brand, slug=slug, visibility=visibility, category=category
    )
    for language, (title, body) in translations.items():
        translation_save(
            actor=SYSTEM, article=article, language=language, title=title, body_html=body
        )
    if publish:
        article_publish(actor=SYSTEM, article=article)
    return article


@pytest.fixture
def kb(world):
    return {
        "refund": article_make(
            world.insurer,
            "refund",
            {
                "zh-Hans": ("退款申请", "<p>如何使用搜索功能申请退款。</p>"),
                "en": ("Refund requests", "<p>How to request a refund with the search.</p>"),
            },
            category="Claims",
        ),
        "draft": article_make(
            world.insurer,
            "draft",
            {"zh-Hans": ("退款草稿", "<p>退款草稿内容</p>")},
            publish=False,
        ),
        "internal": article_make(
            world.insurer,
            "internal",
            {"zh-Hans": ("退款内部流程", "<p>内部退款审核</p>")},
            visibility="internal",
        ),
        "markup": article_make(
            world.insurer,
            "markup",
            {"en": ("<b>Bold</b> <script>alert(2)</script> refund", "<p>refund markup</p>")},
        ),
        "bank": article_make(
            world.bank, "bank-refund", {"zh-Hans": ("银行退款", "<p>银行退款说明</p>")}
        ),
        "card": article_make(
            world.bank, "card", {"en": ("Lost card", "<p>Block a lost card in the app.</p>")}
        ),
    }
