"""Outbound mail templates an administrator edits: `{name}` placeholders, rendered safely.

No template language (an administrator's text must not reach objects or code): a placeholder
is a known name in braces, replaced by a value; in HTML every value is escaped except those
the caller names as already-safe HTML (the agent's sanitised reply). Unknown names are left
as written, so a typo shows in the preview instead of vanishing.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Mapping

_PLACEHOLDER = re.compile(r"\{([a-z_]{1,40})\}")

# The names templates may use, for validation and for the admin's help text.
AUTO_REPLY_PLACEHOLDERS = frozenset(
    {"customer_name", "brand_name", "conversation_id", "subject", "mailbox_address"}
)
REPLY_PLACEHOLDERS = frozenset({*AUTO_REPLY_PLACEHOLDERS, "agent_name", "reply"})


def template_placeholders(source: str) -> set[str]:
    return set(_PLACEHOLDER.findall(source))


def template_placeholders_unknown(source: str, allowed: Collection[str]) -> list[str]:
    """The placeholder names in `source` that are not in `allowed`, sorted."""
    return sorted(template_placeholders(source) - set(allowed))


def template_render(
    source: str,
    values: Mapping[str, str],
    *,
    html_output: bool = False,
    safe_html: Collection[str] = (),
) -> str:
    """`source` with every known `{name}` replaced. With `html_output`, values are escaped
    unless named in `safe_html` (values the caller has sanitised already)."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        value = values[name]
        if html_output and name not in safe_html:
            return html.escape(value)
        return value

    return _PLACEHOLDER.sub(replace, source)


def text_template_as_html(source: str) -> str:
    """An HTML template made from a plain-text one: the text escaped, blank lines as
    paragraphs, line breaks as <br>; placeholders survive (braces are not escaped). A
    placeholder alone in its paragraph (`{reply}`) is not wrapped, so block HTML fits."""
    blocks: list[str] = []
    for paragraph in re.split(r"\n\s*\n", source.replace("\r\n", "\n")):
        if not paragraph.strip():
            continue
        stripped = paragraph.strip()
        if _PLACEHOLDER.fullmatch(stripped):
            blocks.append(stripped)
            continue
        blocks.append("<p>" + html.escape(paragraph.strip("\n")).replace("\n", "<br>") + "</p>")
    return "\n".join(blocks)
