"""Domain refusals as an agent reads them: a translated sentence, and 404 for "not yours"."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.http import Http404, HttpResponseBase
from django.utils.translation import gettext

from lagniappe.core.errors import Conflict, DomainError, NotFound

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)


def not_found_as_404(view: Callable[P, R]) -> Callable[P, R]:
    """An object outside the agent's brands is simply not found (404, never 403)."""

    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return view(*args, **kwargs)
        except NotFound as error:
            raise Http404(error.message) from error

    return wrapped


def refusal_message(error: DomainError) -> str:
    """The agent-facing sentence for a refused change. Services speak English to logs and
    integrators; the workspace says the same in the agent's language, by the error's code."""
    messages = {
        "conflict": gettext(
            "Someone changed this conversation after you opened it. Reload the page to see "
            "the changes, then try again."
        ),
        "invalid_transition": gettext("This status cannot follow the current one."),
        "not_found": gettext("Not found, or not one of your brands."),
        "payload_too_large": gettext("The file is larger than allowed."),
        "merge_into_self": gettext("A customer cannot be merged into itself."),
        "customer_merged": gettext("This customer was merged into another already."),
        "identity_taken": gettext("This identity belongs to another customer already."),
        "merge_into_itself": gettext("A conversation cannot be merged into itself."),
        "merge_across_brands": gettext("Conversations of two brands cannot be merged."),
        "merge_closed": gettext("A closed conversation cannot be merged."),
        "conversation_merged": gettext("This conversation was merged into another already."),
    }
    if error.code in messages:
        return messages[error.code]
    if isinstance(error, Conflict):
        return messages["conflict"]
    return gettext("This change was refused: %(reason)s") % {"reason": error.message}
