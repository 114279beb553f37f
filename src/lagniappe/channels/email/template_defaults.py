"""The built-in outbound mail templates, one per kind and language: used when a brand has not
written its own (admin: Channel: email › Email templates). Content, not interface strings,
so they live here as data in each of the five languages rather than in the message catalogues.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TemplateSource:
    subject: str
    text: str
    html: str = ""  # empty: made from the text


AUTO_REPLY: dict[str, TemplateSource] = {
    "en": TemplateSource(
        subject="We received your message: {subject}",
        text=(
            "Hello {customer_name},\n\n"
            "thank you for writing to {brand_name}. We have received your message and will "
            "answer as soon as we can.\n\n"
            "Your reference is #{conversation_id}. To add anything, simply reply to this email."
            "\n\n-- \n{brand_name}\n"
            "This is an automatic message."
        ),
    ),
    "id": TemplateSource(
        subject="Pesan Anda sudah kami terima: {subject}",
        text=(
            "Halo {customer_name},\n\n"
            "terima kasih telah menghubungi {brand_name}. Pesan Anda sudah kami terima dan "
            "akan kami jawab secepatnya.\n\n"
            "Nomor referensi Anda #{conversation_id}. Untuk menambahkan sesuatu, cukup balas "
            "email ini.\n\n-- \n{brand_name}\n"
            "Ini adalah pesan otomatis."
        ),
    ),
    "ja": TemplateSource(
        subject="お問い合わせを受け付けました：{subject}",
        text=(
            "{customer_name} 様\n\n"
            "{brand_name} へのお問い合わせありがとうございます。メッセージを受け付けました。"
            "できるだけ早くご返信いたします。\n\n"
            "受付番号は #{conversation_id} です。追加のご連絡は、このメールにそのまま"
            "ご返信ください。\n\n-- \n{brand_name}\n"
            "このメールは自動送信されています。"
        ),
    ),
    "zh-Hans": TemplateSource(
        subject="我们已收到您的来信：{subject}",
        text=(
            "{customer_name}，您好：\n\n"
            "感谢您联系{brand_name}。我们已收到您的来信，会尽快回复。\n\n"
            "您的编号是 #{conversation_id}。如需补充，请直接回复此邮件。\n\n-- \n{brand_name}\n"
            "此邮件为自动发送。"
        ),
    ),
    "zh-Hant": TemplateSource(
        subject="我們已收到您的來信：{subject}",
        text=(
            "{customer_name}，您好：\n\n"
            "感謝您聯絡{brand_name}。我們已收到您的來信，會盡快回覆。\n\n"
            "您的編號是 #{conversation_id}。如需補充，請直接回覆此郵件。\n\n-- \n{brand_name}\n"
            "此郵件為自動發送。"
        ),
    ),
}

# Replies: the agent's words ({reply}) and a signature. An agent writes their own greeting.
REPLY: dict[str, TemplateSource] = {
    "en": TemplateSource(
        subject="",
        text="{reply}\n\n-- \n{agent_name}\n{brand_name}\n"
        "Reference #{conversation_id}: reply to this email to continue.",
    ),
    "id": TemplateSource(
        subject="",
        text="{reply}\n\n-- \n{agent_name}\n{brand_name}\n"
        "Referensi #{conversation_id}: balas email ini untuk melanjutkan.",
    ),
    "ja": TemplateSource(
        subject="",
        text="{reply}\n\n-- \n{agent_name}\n{brand_name}\n"
        "受付番号 #{conversation_id}：続けてご連絡いただく場合は、このメールにご返信ください。",
    ),
    "zh-Hans": TemplateSource(
        subject="",
        text="{reply}\n\n-- \n{agent_name}\n{brand_name}\n"
        "编号 #{conversation_id}：如需继续沟通，请直接回复此邮件。",
    ),
    "zh-Hant": TemplateSource(
        subject="",
        text="{reply}\n\n-- \n{agent_name}\n{brand_name}\n"
        "編號 #{conversation_id}：如需繼續溝通，請直接回覆此郵件。",
    ),
}

DEFAULTS: dict[str, dict[str, TemplateSource]] = {"auto_reply": AUTO_REPLY, "reply": REPLY}
