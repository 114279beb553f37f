"""The supervisor board: online agents, open load, each team's queue; kept live by the socket."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from lagniappe.realtime.supervision import SUPERVISING_ROLES, board_context
from lagniappe.workspace.viewer import viewer_of


@login_required
@require_GET
def supervisor_board(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    if viewer.agent.role not in SUPERVISING_ROLES:
        raise PermissionDenied
    # Who is online is only known to the socket, which re-sends the board once connected.
    return render(request, "workspace/supervisor.html", board_context(viewer.scope, frozenset()))
