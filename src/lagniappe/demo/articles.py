"""The demo's help-centre articles, in the five languages, created through the services."""

from __future__ import annotations

from lagniappe.core.actors import Actor
from lagniappe.knowledge.services import article_create, article_publish, translation_save
from lagniappe.tenancy.models import Brand

ACTOR = Actor.system("demo")

# brand key -> slug -> category -> {language: (title, body)}
ARTICLES: dict[str, dict[str, tuple[str, dict[str, tuple[str, str]]]]] = {
    "insurance": {
        "claim-status": (
            "claims",
            {
                "zh-Hant": (
                    "如何查詢理賠進度",
                    "登入會員專區，點選「我的理賠」即可看到每件理賠的處理進度與預計完成日期。",
                ),
                "zh-Hans": (
                    "如何查询理赔进度",
                    "登录会员专区，点击“我的理赔”即可看到每件理赔的处理进度与预计完成日期。",
                ),
                "ja": (
                    "保険金請求の進捗を確認する方法",
                    "会員ページにログインし「請求状況」を開くと、各請求の進捗と完了予定日を確認できます。",
                ),
                "id": (
                    "Cara memeriksa status klaim",
                    "Masuk ke area anggota dan buka Klaim Saya untuk melihat status setiap klaim dan perkiraan tanggal selesai.",
                ),
                "en": (
                    "How to check the status of a claim",
                    "Sign in to the member area and open My claims to see the progress of each claim and its expected completion date.",
                ),
            },
        ),
        "change-beneficiary": (
            "policies",
            {
                "zh-Hant": (
                    "變更受益人",
                    "請填寫受益人變更申請書並附上身分證明文件，我們會在五個工作天內完成變更。",
                ),
                "ja": (
                    "受取人の変更",
                    "受取人変更届に本人確認書類を添えてご提出ください。5営業日以内に変更いたします。",
                ),
                "en": (
                    "Changing a beneficiary",
                    "Fill in the change-of-beneficiary form with a proof of identity; we make the change within five working days.",
                ),
            },
        ),
    },
    "bank": {
        "lost-card": (
            "cards",
            {
                "ja": (
                    "カードを紛失したとき",
                    "アプリの「カード停止」から今すぐ利用を止められます。再発行は7日ほどでお届けします。",
                ),
                "zh-Hant": (
                    "信用卡遺失時",
                    "請在 App 點選「停用卡片」立即停止使用，補發新卡約七天送達。",
                ),
                "zh-Hans": (
                    "银行卡丢失时",
                    "请在 App 点击“停用卡片”立即停止使用，补发新卡约七天送达。",
                ),
                "id": (
                    "Jika kartu hilang",
                    "Blokir kartu segera melalui menu Blokir Kartu di aplikasi; kartu pengganti tiba sekitar tujuh hari.",
                ),
                "en": (
                    "If you lose your card",
                    "Block it at once with Block card in the app; a replacement arrives in about seven days.",
                ),
            },
        ),
        "refund": (
            "payments",
            {
                "id": (
                    "Pengembalian dana",
                    "Pengembalian dana diproses dalam 3–5 hari kerja setelah pedagang mengonfirmasi pembatalan.",
                ),
                "en": (
                    "Refunds",
                    "Refunds are processed within 3–5 working days after the merchant confirms the cancellation.",
                ),
                "ja": ("返金について", "加盟店が取消を確認してから3〜5営業日で返金されます。"),
            },
        ),
    },
}


def articles_build(brands: dict[str, Brand]) -> int:
    """Publish the demo articles; returns how many translations were written."""
    written = 0
    for brand_key, articles in ARTICLES.items():
        brand = brands[brand_key]
        for slug, (category, translations) in articles.items():
            article = article_create(actor=ACTOR, brand=brand, slug=slug, category=category)
            for language, (title, body) in translations.items():
                translation_save(
                    actor=ACTOR,
                    article=article,
                    language=language,
                    title=title,
                    body_html=f"<p>{body}</p>",
                )
                written += 1
            article_publish(actor=ACTOR, article=article)
    return written
