"""Outbound templates: known placeholders replaced, values escaped in HTML, nothing executed."""

from __future__ import annotations

from lagniappe.engines.mail import (
    REPLY_PLACEHOLDERS,
    template_placeholders_unknown,
    template_render,
    text_template_as_html,
)


def test_placeholders_are_replaced_and_unknown_ones_stay():
    out = template_render("Hi {customer_name}, #{conversation_id} {nope}", {
        "customer_name": "王哲", "conversation_id": "7"})  # fmt: skip
    assert out == "Hi 王哲, #7 {nope}"


def test_values_are_escaped_in_html_except_the_safe_ones():
    out = template_render(
        "<p>{customer_name}</p>{reply}",
        {"customer_name": "<script>x</script>", "reply": "<p><b>ok</b></p>"},
        html_output=True,
        safe_html=("reply",),
    )
    assert out == "<p>&lt;script&gt;x&lt;/script&gt;</p><p><b>ok</b></p>"


def test_no_template_language_reaches_objects():
    # Format-string and Django-template syntax are plain text here.
    out = template_render("{customer_name.__class__} {{ settings.SECRET_KEY }}", {
        "customer_name": "x"})  # fmt: skip
    assert out == "{customer_name.__class__} {{ settings.SECRET_KEY }}"


def test_text_template_becomes_html_with_the_reply_unwrapped():
    html = text_template_as_html("Hello <you>,\n\n{reply}\n\n-- \n{agent_name}\nBrand & co")
    assert (
        html == "<p>Hello &lt;you&gt;,</p>\n{reply}\n<p>-- <br>{agent_name}<br>Brand &amp; co</p>"
    )


def test_unknown_placeholders_are_reported():
    assert template_placeholders_unknown("{reply} {agnet_name}", REPLY_PLACEHOLDERS) == [
        "agnet_name"
    ]
