from django.test import Client
from django.utils import translation

from lagniappe.conversations.states import Status
from lagniappe.core.models import AuditEvent
from lagniappe.staff.models import Agent
from tests.workspace.conftest import assert_every_field_labelled


def test_sign_in_page_has_labelled_fields_and_signs_in(world):
    client = Client()
    page = client.get("/login")
    assert page.status_code == 200
    assert assert_every_field_labelled(page.content.decode()) == 2
    answer = client.post("/login", {"username": "mei@insurer.test", "password": "pw-insurer"})
    assert answer.status_code == 302 and answer["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_password_is_refused(world):
    answer = Client().post("/login", {"username": "mei@insurer.test", "password": "nope"})
    assert answer.status_code == 200
    assert "_auth_user_id" not in answer.wsgi_request.session


def test_pages_need_a_signed_in_agent(world):
    answer = Client().get("/")
    assert answer.status_code == 302 and answer["Location"].startswith("/login?next=/")


def test_sign_out_is_a_post(world, signed_in):
    client = signed_in(world.insurer_agent)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_language_choice_is_stored_audited_and_applied(world, signed_in):
    client = signed_in(world.bank_agent)
    answer = client.post("/preferences", {"ui_language": "ja", "next": "/"})
    assert answer.status_code == 302 and answer["Location"] == "/"
    agent = Agent.objects.get(pk=world.bank_agent.pk)
    assert agent.ui_language == "ja"
    assert AuditEvent.objects.filter(action="agent.preferences_set", object_id=agent.pk).exists()
    page = client.get("/?view=open", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert '<html lang="ja">' in html
    assert page["Content-Language"] == "ja"
    with translation.override("ja"):
        japanese = str(Status.ON_HOLD.label)
    assert japanese != "On hold (waiting for us or a third party)"
    assert japanese in html  # the status filter's choices, from Django's active catalogue


def test_chinese_codes_are_stored_in_our_spelling(world, signed_in):
    client = signed_in(world.insurer_agent)
    client.post("/preferences", {"ui_language": "zh-hant"})
    assert Agent.objects.get(pk=world.insurer_agent.pk).ui_language == "zh-Hant"
    assert '<html lang="zh-hant">' in client.get("/").content.decode()


def test_the_browser_language_is_used_until_the_agent_chooses(world, signed_in):
    client = signed_in(world.insurer_agent)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-TW,zh;q=0.9")
    assert '<html lang="zh-hant">' in page.content.decode()
    assert Agent.objects.get(pk=world.insurer_agent.pk).ui_language == ""


def test_time_zone_is_stored_and_unknown_ones_refused(world, signed_in):
    client = signed_in(world.bank_agent)
    client.post("/preferences", {"ui_language": "en", "time_zone": "Asia/Tokyo"})
    assert Agent.objects.get(pk=world.bank_agent.pk).time_zone == "Asia/Tokyo"
    page = client.post("/preferences", {"ui_language": "en", "time_zone": "Mars/Olympus"})
    assert page.status_code == 200
    assert Agent.objects.get(pk=world.bank_agent.pk).time_zone == "Asia/Tokyo"
    assert_every_field_labelled(page.content.decode())


def test_times_are_shown_in_the_agents_time_zone(world, signed_in, inbound_conversation):
    conversation = inbound_conversation(world.bank_api, text="残高を確認したい")
    client = signed_in(world.bank_agent)
    client.post("/preferences", {"ui_language": "en", "time_zone": "Asia/Tokyo"})
    html = client.get(f"/conversations/{conversation.pk}").content.decode()
    from zoneinfo import ZoneInfo

    from django.utils.formats import date_format

    local = conversation.last_message_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert date_format(local, "SHORT_DATETIME_FORMAT") in html


def test_the_workspace_urls_leave_the_other_routes_alone(world, client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/admin/").status_code == 302  # to the admin's own sign-in
    assert client.get("/admin/login/").status_code == 200
    assert client.get("/api/v1/conversations").status_code == 401
    assert client.get("/api/nowhere").status_code == 404
    assert client.post("/i18n/setlang/", {"language": "ja"}).status_code == 302
