"""Uploads to /api/v1/conversations/{id}/attachments and /api/v1/attachments/{id}[/download]."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from lagniappe.conversations.models import Attachment, Conversation
from tests.api.test_messages import conversation_via_funnel

PDF = b"%PDF-1.4\n% test document\n"

# (file name, text of the customer's message, brand)
SAMPLES: dict[str, tuple[str, str, str]] = {
    "zh-Hant": ("理賠申請書.pdf", "請問要附上哪些文件？", "insurer"),
    "ja": ("残高証明書.pdf", "残高証明書を送ってください。", "bank"),
    "id": ("bukti pembayaran.pdf", "Saya sudah transfer, ini buktinya.", "bank"),
    "zh-Hans": ("理赔申请表.pdf", "请问需要哪些材料？", "insurer"),
    "en": ("claim form.pdf", "Here is the completed form.", "insurer"),
}


@pytest.fixture
def insurer_conversation(world, run_tasks) -> Conversation:  # type: ignore[no-untyped-def]
    return conversation_via_funnel(world.insurer_api, run_tasks, text="我的理賠進度如何？")


def _upload(
    client: Any, conversation: Conversation, name: str, content: bytes, content_type: str
) -> Any:
    return client.upload(
        f"/conversations/{conversation.pk}/attachments",
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
    )


def _download_body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("language", list(SAMPLES))
def test_upload_metadata_and_download(world, api_as, run_tasks, language):
    filename, text, brand = SAMPLES[language]
    endpoint = world.insurer_api if brand == "insurer" else world.bank_api
    conversation = conversation_via_funnel(endpoint, run_tasks, text=text, language=language)
    agent = api_as(brand)

    response = _upload(agent, conversation, filename, PDF, "application/pdf")
    assert response.status_code == 201, response.json()
    uploaded = response.json()
    assert uploaded["filename"] == filename
    assert uploaded["content_type"] == "application/pdf"
    assert uploaded["size"] == len(PDF)
    assert uploaded["conversation_id"] == conversation.pk
    assert uploaded["message_id"] is None
    stored = Attachment.objects.get(pk=uploaded["id"])
    assert stored.message_id is None
    assert (
        stored.uploaded_by_id
        == (world.insurer_agent if brand == "insurer" else world.bank_agent).pk
    )
    # The customer's file name is data, never part of the storage path.
    assert filename not in stored.file.name

    metadata = agent.get(f"/attachments/{uploaded['id']}")
    assert metadata.status_code == 200
    assert metadata.json() == uploaded

    key = api_as(f"{brand}_key")
    download = key.get(uploaded["download_url"].removeprefix("/api/v1"))
    assert download.status_code == 200
    assert _download_body(download) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "sandbox"
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" in disposition


def test_path_and_markup_in_file_name_are_cleaned(api_as, insurer_conversation):
    response = _upload(
        api_as("insurer"),
        insurer_conversation,
        "..\\..\\windows\\<script>報告.pdf",
        PDF,
        "application/pdf",
    )
    assert response.status_code == 201, response.json()
    stored = Attachment.objects.get(pk=response.json()["id"])
    assert stored.filename == "_script_報告.pdf"
    assert response.json()["filename"] == "_script_報告.pdf"
    assert ".." not in stored.file.name and "\\" not in stored.file.name

    download = api_as("insurer").get(f"/attachments/{stored.pk}/download")
    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        "attachment; filename=\"_script_.pdf\"; filename*=UTF-8''_script_%E5%A0%B1%E5%91%8A.pdf"
    )
    assert _download_body(download) == PDF


def test_separators_in_a_file_name_cannot_break_the_header(api_as, insurer_conversation):
    response = _upload(
        api_as("insurer"), insurer_conversation, "a;b=c;%20.txt", b"hi", "text/plain"
    )
    assert response.status_code == 201
    assert response.json()["filename"] == "a;b=c;%20.txt"
    download = api_as("insurer").get(f"/attachments/{response.json()['id']}/download")
    disposition = download["Content-Disposition"]
    fallback = disposition.split('filename="', 1)[1].split('"', 1)[0]
    assert ";" not in fallback and "%" not in fallback and "\\" not in fallback
    assert disposition.endswith("filename*=UTF-8''a%3Bb%3Dc%3B%2520.txt")


@pytest.mark.parametrize(
    ("name", "content_type", "sent_as"),
    [
        ("data.xml", "text/xml", "application/octet-stream"),
        ("feed.xml", "application/xml", "application/octet-stream"),
        ("page.xhtml", "application/xhtml+xml", "application/octet-stream"),
        ("app.js", "text/javascript", "application/octet-stream"),
        ("style.css", "text/css", "application/octet-stream"),
        ("note.txt", "text/plain", "text/plain"),
        ("photo.png", "image/png", "image/png"),
    ],
)
def test_types_a_browser_could_run_are_downloaded_as_octet_stream(
    api_as, insurer_conversation, name, content_type, sent_as
):
    response = _upload(api_as("insurer"), insurer_conversation, name, b"<x/>", content_type)
    assert response.status_code == 201, response.json()
    assert response.json()["content_type"] == content_type
    download = api_as("insurer").get(f"/attachments/{response.json()['id']}/download")
    assert download["Content-Type"] == sent_as
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "sandbox"
    assert download["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("page.html", "text/html"),
        ("logo.svg", "image/svg+xml"),
        ("setup.exe", "application/x-msdownload"),
    ],
)
def test_blocked_types_are_refused_and_not_stored(api_as, insurer_conversation, name, content_type):
    response = _upload(api_as("insurer"), insurer_conversation, name, b"<svg/>", content_type)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert Attachment.objects.count() == 0


def test_oversized_upload_is_413_and_nothing_is_stored(api_as, insurer_conversation):
    with override_settings(LAGNIAPPE_MAX_ATTACHMENT_BYTES=1000):
        too_big = _upload(
            api_as("insurer"), insurer_conversation, "大檔案.pdf", b"x" * 1001, "application/pdf"
        )
        assert too_big.status_code == 413
        assert too_big["Content-Type"].startswith("application/json")
        assert too_big.json()["code"] == "payload_too_large"
        assert too_big.json()["details"]["limit"] == 1000
        assert Attachment.objects.count() == 0

        just_fits = _upload(
            api_as("insurer"), insurer_conversation, "剛好.pdf", b"x" * 1000, "application/pdf"
        )
        assert just_fits.status_code == 201
        assert Attachment.objects.count() == 1


def test_upload_without_a_file_names_the_field(api_as, insurer_conversation):
    response = api_as("insurer").upload(
        f"/conversations/{insurer_conversation.pk}/attachments", {}, {"other": "x"}
    )
    assert response.status_code == 422
    assert "body.file" in [e["field"] for e in response.json()["details"]["errors"]]
    assert Attachment.objects.count() == 0


def test_api_key_cannot_upload(api_as, insurer_conversation):
    response = _upload(api_as("insurer_key"), insurer_conversation, "a.pdf", PDF, "application/pdf")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Attachment.objects.count() == 0


@pytest.mark.parametrize("who", ["bank", "bank_key"])
def test_an_attachment_id_alone_never_grants_access(api_as, insurer_conversation, who):
    uploaded = _upload(api_as("insurer"), insurer_conversation, "保單.pdf", PDF, "application/pdf")
    attachment_id = uploaded.json()["id"]
    client = api_as(who)
    for path in (f"/attachments/{attachment_id}", f"/attachments/{attachment_id}/download"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["code"] == "not_found"
        missing = client.get(path.replace(str(attachment_id), str(attachment_id + 1000)))
        assert missing.status_code == 404
        assert missing.json()["message"] == response.json()["message"]


def test_anonymous_callers_get_401_json(api_as, insurer_conversation):
    uploaded = _upload(api_as("insurer"), insurer_conversation, "保單.pdf", PDF, "application/pdf")
    attachment_id = uploaded.json()["id"]
    for path in (f"/attachments/{attachment_id}", f"/attachments/{attachment_id}/download"):
        response = api_as("anonymous").get(path)
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize(
    ("attachment_id", "status"), [("0", 422), (str(2**63), 422), ("-1", 422), ("abc", 422)]
)
def test_impossible_ids_are_refused_without_a_server_error(api_as, attachment_id, status):
    for suffix in ("", "/download"):
        response = api_as("insurer").get(f"/attachments/{attachment_id}{suffix}")
        assert response.status_code == status
        assert response["Content-Type"].startswith("application/json")


def test_missing_file_on_disk_is_not_found_not_a_server_error(api_as, insurer_conversation):
    uploaded = _upload(api_as("insurer"), insurer_conversation, "遺失.pdf", PDF, "application/pdf")
    stored = Attachment.objects.get(pk=uploaded.json()["id"])
    stored.file.storage.delete(stored.file.name)
    response = api_as("insurer").get(f"/attachments/{stored.pk}/download")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_harmless_type_with_a_scripting_file_name_is_sent_as_a_plain_download():
    from lagniappe.core.downloads import download_content_type

    assert download_content_type("text/plain", "notes.txt") == "text/plain"
    assert download_content_type("image/png", "photo.png") == "image/png"
    assert download_content_type("text/plain", "page.html") == "application/octet-stream"
    assert download_content_type("image/png", "logo.svg") == "application/octet-stream"
    assert download_content_type("text/html", "page.txt") == "application/octet-stream"
    assert download_content_type("application/pdf", "scan.unknownext") == "application/pdf"
