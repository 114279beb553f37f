"""Outbound mail rendered from a brand's templates (or the built-in ones), per language.

A brand's own template for the language wins, then the built-in one for that language, then
the same for the mailbox's default language, then for the brand's default language, then
English. The language is the conversation's: the one detected in the customer's mail.
Values are escaped in HTML, the agent's reply (sanitised when stored) goes in as HTML, and
the result is sanitised again: an administrator's template cannot put a script into a
customer's mailbox either.
"""

from __future__ import annotations

from dataclasses import dataclass

from lagniappe.channels.email.models import EmailTemplate, TemplateKind
from lagniappe.channels.email.template_defaults import DEFAULTS, TemplateSource
from lagniappe.core.sanitising import html_sanitise, text_to_html
from lagniappe.engines.mail import template_render, text_template_as_html


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def template_source(
    brand_id: int, kind: str, language: str, fallback_language: str = "", brand_language: str = ""
) -> TemplateSource:
    """The template used for mail of this kind in this language (see the module's order)."""
    wanted = [
        code for code in dict.fromkeys((language, fallback_language, brand_language, "en")) if code
    ]
    own = {
        row.language: TemplateSource(row.subject, row.text, row.html)
        for row in EmailTemplate.objects.filter(brand_id=brand_id, kind=kind, language__in=wanted)
    }
    defaults = DEFAULTS[kind]
    for code in wanted:
        if code in own:
            return own[code]
        if code in defaults:
            return defaults[code]
    return defaults["en"]


def _html_of(source: TemplateSource, values: dict[str, str], safe: tuple[str, ...]) -> str:
    html_source = source.html.strip() or text_template_as_html(source.text)
    return html_sanitise(template_render(html_source, values, html_output=True, safe_html=safe))


def auto_reply_render(
    *,
    brand_id: int,
    language: str,
    fallback_language: str,
    values: dict[str, str],
    brand_language: str = "",
) -> RenderedMail:
    source = template_source(
        brand_id, TemplateKind.AUTO_REPLY, language, fallback_language, brand_language
    )
    subject = " ".join(template_render(source.subject, values).split())[:300]
    return RenderedMail(
        subject=subject,
        text=template_render(source.text, values).strip(),
        html=_html_of(source, values, ()),
    )


def reply_render(
    *,
    brand_id: int,
    language: str,
    fallback_language: str,
    values: dict[str, str],
    reply_text: str,
    reply_html: str,
) -> RenderedMail:
    """An agent's reply inside the brand's header, footer and signature. A template without
    `{reply}` still carries the reply: it goes first."""
    source = template_source(brand_id, TemplateKind.REPLY, language, fallback_language)
    if "{reply}" not in source.text:
        source = TemplateSource(source.subject, "{reply}\n\n" + source.text, source.html)
    if source.html.strip() and "{reply}" not in source.html:
        source = TemplateSource(source.subject, source.text, "{reply}\n" + source.html)
    text = template_render(source.text, {**values, "reply": reply_text.strip()}).strip()
    html_reply = html_sanitise(reply_html) if reply_html.strip() else text_to_html(reply_text)
    html = _html_of(source, {**values, "reply": html_reply}, ("reply",))
    return RenderedMail(subject="", text=text, html=html)
