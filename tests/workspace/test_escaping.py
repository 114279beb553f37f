"""Every string a customer controls reaches the agent's browser escaped."""

from html.parser import HTMLParser

from lagniappe.conversations.models import Attachment
from lagniappe.conversations.services import message_send
from lagniappe.core.actors import SYSTEM
from tests.workspace.test_conversation import _form_with_file

PAYLOADS = (
    "<img src=x onerror=alert(1)>",
    '"><script>alert(1)</script>',
    "<svg/onload=alert(1)>",
    "</textarea><script>alert(2)</script>",
)


def _assert_escaped(html: str, payload: str) -> None:
    assert payload not in html
    escaped = payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert escaped.replace('"', "&quot;") in html or escaped in html


class _ActiveContent(HTMLParser):
    """Everything in a page that could run script: inline scripts, event-handler attributes,
    javascript: links, and the elements the payloads try to smuggle in."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script" and not (attributes.get("src") or "").startswith("/static/"):
            self.found.append("inline <script>")
        # An <img> without handlers is inert (the sanitiser keeps images in message HTML).
        if tag in ("svg", "iframe", "object", "embed", "base"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}=javascript:")


def _active_content(html: str) -> list[str]:
    parser = _ActiveContent()
    parser.feed(html)
    return parser.found


def test_payloads_in_subject_name_text_and_html_are_escaped(world, signed_in, inbound_conversation):
    client = signed_in(world.insurer_agent)
    for index, payload in enumerate(PAYLOADS):
        conversation = inbound_conversation(
            world.insurer_api,
            email=f"x{index}@example.tw",
            name=payload,
            subject=payload,
            text=payload,
            html=f"<p>safe</p>{payload}<a href='javascript:alert(3)'>link</a>",
        )
        message_send(
            actor=SYSTEM, conversation=conversation, author_id=world.insurer_agent.pk, text=payload
        )
        for url in (
            f"/conversations/{conversation.pk}",
            "/?view=open",
            f"/customers/{conversation.customer_id}",
        ):
            html = client.get(url).content.decode()
            assert _active_content(html) == [], url
            _assert_escaped(html, payload)
        html = client.get(f"/conversations/{conversation.pk}").content.decode()
        assert "<p>safe</p>" in html  # the sanitised HTML body is shown as HTML


def test_attachment_file_name_is_escaped(world, signed_in, run_tasks):
    name = "&lt;script&gt;alert(1)&lt;&#x2F;script&gt;.txt"
    message = _form_with_file(run_tasks, world, name, b"hello", "text/plain")
    attachment = Attachment.objects.get(message=message)
    assert attachment.filename == name  # nothing in this name is cleaned away
    page = signed_in(world.insurer_agent).get(f"/conversations/{message.conversation_id}")
    html = page.content.decode()
    assert "&amp;lt;script&amp;gt;alert(1)&amp;lt;&amp;#x2F;script&amp;gt;.txt" in html
    assert _active_content(html) == []
