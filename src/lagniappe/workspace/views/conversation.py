"""One conversation: its messages and notes, the composer, the controls and the customer.

Every write answers an htmx request with the same partial template the full page renders
(`_message.html`, `_note.html`, `_controls.html`), so a later realtime push can reuse them;
without htmx it redirects back to the page.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_POST

from lagniappe.conversations.access import access_conversation_by_id
from lagniappe.conversations.models import Conversation
from lagniappe.conversations.selectors import (
    conversation_timeline_for_customer,
    message_list_for_conversation,
    note_list_for_conversation,
)
from lagniappe.conversations.services import message_send, note_add
from lagniappe.conversations.states import Status
from lagniappe.conversations.transfers import TransferTarget, conversation_transfer
from lagniappe.conversations.updates import ConversationChanges, conversation_update
from lagniappe.core import clock
from lagniappe.core.errors import DomainError, InvalidInput, NotFound
from lagniappe.customers.selectors import identity_list_for_customer
from lagniappe.engines.mail import subject_key
from lagniappe.staff.notifications import (
    conversation_seen_mark,
    notification_mark_read_for_conversation,
)
from lagniappe.staff.selectors import agent_list_for_brand, team_list_for_brand
from lagniappe.workspace.canned import canned_for_conversation
from lagniappe.workspace.errors import not_found_as_404, refusal_message
from lagniappe.workspace.forms import (
    ConversationControlsForm,
    ConversationMergeFindForm,
    NoteForm,
    ReplyForm,
    TransferForm,
    VersionForm,
)
from lagniappe.workspace.mentions import mentioned_agent_ids
from lagniappe.workspace.viewer import Viewer, viewer_of

RECENT_CONTACT_DAYS = 7


def _targets(conversation: Conversation) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(agents, teams) serving the conversation's brand: two queries, shared by both forms."""
    return (
        list(agent_list_for_brand(conversation.brand_id).values_list("pk", "display_name")),
        list(team_list_for_brand(conversation.brand_id).values_list("pk", "name")),
    )


def _transfer_form(conversation: Conversation, data: Any = None) -> TransferForm:
    agents, teams = _targets(conversation)
    return TransferForm(
        data,
        auto_id="transfer-%s",
        agents=agents,
        teams=teams,
        initial={"version": conversation.version},
    )


def _controls_form(
    conversation: Conversation,
    data: Any = None,
    targets: tuple[list[tuple[int, str]], list[tuple[int, str]]] | None = None,
) -> ConversationControlsForm:
    agents, teams = targets or _targets(conversation)
    return ConversationControlsForm(
        data,
        auto_id="controls-%s",
        agents=agents,
        teams=teams,
        initial={
            "version": conversation.version,
            "status": conversation.status,
            "priority": conversation.priority,
            "assignee": conversation.assignee_id or "",
            "team": conversation.team_id or "",
            "tags": ", ".join(t.name for t in conversation.tags.all()),
        },
    )


def _controls_context(conversation: Conversation) -> dict[str, Any]:
    agents, teams = targets = _targets(conversation)
    return {
        "conversation": conversation,
        "controls_form": _controls_form(conversation, targets=targets),
        "transfer_form": TransferForm(
            auto_id="transfer-%s",
            agents=agents,
            teams=teams,
            initial={"version": conversation.version},
        ),
    }


def _reply_form(conversation: Conversation, data: Any = None, files: Any = None) -> ReplyForm:
    """The composer for the conversation's channel; an email reply's subject starts as
    "Re: <the conversation's subject>" (once: a subject that is a reply already stays)."""
    base = conversation.subject.strip()
    subject = base if not base or subject_key(base).is_reply else f"Re: {base}"
    return ReplyForm(
        data, files, channel_kind=conversation.channel_kind, initial={"subject": subject}
    )


def _refusal(request: HttpRequest, conversation_id: int, error: DomainError) -> HttpResponse:
    """A refused change: for htmx a partial into the page's message area (htmx is told to
    swap 409 and 422 answers), otherwise a flash message and back to the page."""
    text = refusal_message(error)
    if request.htmx:  # type: ignore[attr-defined]
        response = render(
            request, "workspace/_refusal.html", {"text": text}, status=error.http_status
        )
        response["HX-Retarget"] = "#flash"
        response["HX-Reswap"] = "innerHTML"
        return response
    messages.error(request, text)
    return redirect("workspace:conversation-detail", conversation_id=conversation_id)


@login_required
@require_GET
@not_found_as_404
def conversation_detail(request: HttpRequest, conversation_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    conversation = access_conversation_by_id(viewer.scope, conversation_id)
    timeline = sorted(
        [
            *(
                ("message", m.created_at, m.pk, m)
                for m in message_list_for_conversation(conversation)
            ),
            *(("note", n.created_at, n.pk, n) for n in note_list_for_conversation(conversation)),
        ],
        key=lambda item: (item[1], item[0] == "note", item[2]),
    )
    newest = max((pk for kind, _at, pk, _item in timeline if kind == "message"), default=0)
    conversation_seen_mark(
        agent_id=viewer.agent.pk, conversation_id=conversation.pk, message_id=newest
    )
    notification_mark_read_for_conversation(
        agent_id=viewer.agent.pk, conversation_id=conversation.pk
    )
    earlier = conversation_timeline_for_customer(viewer.scope, conversation.customer_id)
    since = clock.now() - timedelta(days=RECENT_CONTACT_DAYS)
    recent = sum(1 for c in earlier if c.created_at >= since)
    context = {
        **_controls_context(conversation),
        "timeline": [(kind, item) for kind, _at, _pk, item in timeline],
        "customer": conversation.customer,
        "identities": identity_list_for_customer(viewer.scope, conversation.customer),
        "earlier": earlier,
        "recent_contacts": ngettext(
            "%(count)d contact in the last %(days)d days",
            "%(count)d contacts in the last %(days)d days",
            recent,
        )
        % {"count": recent, "days": RECENT_CONTACT_DAYS},
        "reply_form": _reply_form(conversation),
        "canned": canned_for_conversation(viewer, conversation),
        "note_form": NoteForm(),
        "merge_form": ConversationMergeFindForm(auto_id="merge-%s"),
        "merged_into": _merged_into(viewer, conversation),
    }
    return render(request, "workspace/conversation.html", context)


def _merged_into(viewer: Viewer, conversation: Conversation) -> Conversation | None:
    """The conversation this one was merged into, when the viewer may see it: an old link
    shows the "merged into" banner (workspace/_merged_banner.html) linking there."""
    if conversation.merged_into_id is None:
        return None
    try:
        return access_conversation_by_id(viewer.scope, conversation.merged_into_id)
    except NotFound:
        return None


def _with_controls(
    request: HttpRequest, viewer: Viewer, partial: str, context: dict[str, Any]
) -> HttpResponse:
    """`partial`, and the controls swapped out of band: the write raised the version, so the
    controls must carry the new one or the next change would be refused as stale."""
    conversation = access_conversation_by_id(viewer.scope, context["conversation"].pk)
    html = render_to_string(partial, context, request=request)
    html += render_to_string(
        "workspace/_controls.html",
        {**_controls_context(conversation), "oob": True},
        request=request,
    )
    return HttpResponse(html)


@login_required
@require_POST
@not_found_as_404
def conversation_reply(request: HttpRequest, conversation_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    conversation = access_conversation_by_id(viewer.scope, conversation_id)
    form = _reply_form(conversation, request.POST, request.FILES)
    if not form.is_valid():
        return _refusal(request, conversation_id, _invalid(form))
    data = form.cleaned_data
    try:
        sent = message_send(
            actor=viewer.actor,
            conversation=conversation,
            author_id=viewer.agent.pk,
            text=data["text"],
            subject=data.get("subject", ""),
            cc=data.get("cc", ()),
            attachments=data.get("attachments", ()),
        )
    except DomainError as error:
        return _refusal(request, conversation_id, error)
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect("workspace:conversation-detail", conversation_id=conversation_id)
    message = message_list_for_conversation(conversation).get(pk=sent.pk)
    return _with_controls(
        request,
        viewer,
        "workspace/_message.html",
        {"message": message, "conversation": conversation},
    )


@login_required
@require_POST
@not_found_as_404
def conversation_note(request: HttpRequest, conversation_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    conversation = access_conversation_by_id(viewer.scope, conversation_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _refusal(request, conversation_id, _invalid(form))
    text = form.cleaned_data["text"]
    candidates = agent_list_for_brand(conversation.brand_id).values_list(
        "pk", "email", "display_name"
    )
    try:
        added = note_add(
            actor=viewer.actor,
            conversation=conversation,
            author_id=viewer.agent.pk,
            text=text,
            mention_ids=mentioned_agent_ids(text, candidates),
        )
    except DomainError as error:
        return _refusal(request, conversation_id, error)
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect("workspace:conversation-detail", conversation_id=conversation_id)
    note = note_list_for_conversation(conversation).get(pk=added.pk)
    return _with_controls(
        request, viewer, "workspace/_note.html", {"note": note, "conversation": conversation}
    )


def _invalid(form: Any) -> DomainError:
    """A form's first error, refused like a service refusal (422)."""
    first = next(iter(form.errors.values()))[0]
    return InvalidInput(str(first))


def _change(
    request: HttpRequest,
    viewer: Viewer,
    conversation: Conversation,
    changes: ConversationChanges,
    version: int,
) -> HttpResponse:
    try:
        changed = conversation_update(
            actor=viewer.actor, conversation=conversation, changes=changes, expected_version=version
        )
    except DomainError as error:
        return _refusal(request, conversation.pk, error)
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect("workspace:conversation-detail", conversation_id=conversation.pk)
    fresh = access_conversation_by_id(viewer.scope, changed.pk)
    return render(request, "workspace/_controls.html", _controls_context(fresh))


@login_required
@require_POST
@not_found_as_404
def conversation_update_view(request: HttpRequest, conversation_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    conversation = access_conversation_by_id(viewer.scope, conversation_id)
    form = _controls_form(conversation, request.POST)
    if not form.is_valid():
        return _refusal(request, conversation_id, _invalid(form))
    data = form.cleaned_data
    assignee_id = data["assignee"]
    changes = ConversationChanges(
        status=data["status"],
        priority=data["priority"],
        tags=form.tag_names(),
        team_id=data["team"],
        assign=assignee_id != conversation.assignee_id,
        assignee_id=assignee_id,
    )
    return _change(request, viewer, conversation, changes, data["version"])


@login_required
@require_POST
@not_found_as_404
def conversation_take(request: HttpRequest, conversation_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    conversation = access_conversation_by_id(viewer.scope, conversation_id)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _refusal(request, conversation_id, _invalid(form))
    changes = ConversationChanges(assign=True, assignee_id=viewer.agent.pk)
    return _change(request, viewer, conversation, changes, form.cleaned_data["version"])


@login_required
@require_POST
@not_found_as_404
def conversation_resolve(request: HttpRequest, conversation_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    conversation = access_conversation_by_id(viewer.scope, conversation_id)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _refusal(request, conversation_id, _invalid(form))
    changes = ConversationChanges(status=Status.RESOLVED)
    return _change(request, viewer, conversation, changes, form.cleaned_data["version"])


@login_required
@require_POST
@not_found_as_404
def conversation_transfer_view(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """Transfer with a note. A plain form post answered with a redirect: the page then shows
    the new owner, the note and the new version together."""
    viewer = viewer_of(request)
    conversation = access_conversation_by_id(viewer.scope, conversation_id)
    form = _transfer_form(conversation, request.POST)
    if not form.is_valid():
        return _refusal(request, conversation_id, _invalid(form))
    agent_id, team_id = form.target_ids()
    try:
        conversation_transfer(
            actor=viewer.actor,
            conversation=conversation,
            target=TransferTarget(agent_id=agent_id, team_id=team_id),
            note_text=form.cleaned_data["note"],
            author_id=viewer.agent.pk,
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as error:
        return _refusal(request, conversation_id, error)
    messages.success(request, gettext("Conversation transferred."))
    return redirect("workspace:conversation-detail", conversation_id=conversation_id)
