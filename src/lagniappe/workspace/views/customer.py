"""A customer: edit, identities, conversations, and merging another customer into this one."""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from lagniappe.conversations.selectors import conversation_timeline_for_customer
from lagniappe.core.errors import DomainError
from lagniappe.customers.access import access_customer_by_id
from lagniappe.customers.models import Customer
from lagniappe.customers.selectors import customer_merge_preview, identity_list_for_customer
from lagniappe.customers.services import customer_merge, customer_merge_check, customer_update
from lagniappe.tenancy.scoping import ViewerScope
from lagniappe.workspace.errors import not_found_as_404, refusal_message
from lagniappe.workspace.forms import CustomerForm, MergeForm
from lagniappe.workspace.viewer import viewer_of


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    customer = access_customer_by_id(viewer.scope, customer_id)
    if request.method == "POST":
        form = CustomerForm(request.POST)
        if form.is_valid():
            customer_update(
                actor=viewer.actor,
                customer=customer,
                name=form.cleaned_data["name"],
                language=form.cleaned_data["language"],
                notes=form.cleaned_data["notes"],
            )
            messages.success(request, gettext("The customer is saved."))
            return redirect("workspace:customer-detail", customer_id=customer.pk)
    else:
        form = CustomerForm(
            initial={"name": customer.name, "language": customer.language, "notes": customer.notes}
        )
    return render(
        request,
        "workspace/customer.html",
        {
            "customer": customer,
            "form": form,
            "identities": identity_list_for_customer(viewer.scope, customer),
            "earlier": conversation_timeline_for_customer(viewer.scope, customer.pk),
            "merge_form": MergeForm(auto_id="merge-%s"),
        },
    )


def _preview_rows(source: Customer, viewer_scope: ViewerScope) -> list[tuple[str, int]]:
    """What would move, named in the agent's language (the model's plural name)."""
    counts = customer_merge_preview(source=source, scope=viewer_scope)
    return [
        (str(apps.get_model(label)._meta.verbose_name_plural), count)
        for label, count in sorted(counts.items())
    ]


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def customer_merge_view(request: HttpRequest, customer_id: int) -> HttpResponse:
    """GET: the preview of merging `source` into this customer; POST: the merge itself."""
    viewer = viewer_of(request)
    target = access_customer_by_id(viewer.scope, customer_id)
    form = MergeForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("workspace:customer-detail", customer_id=target.pk)
    source = access_customer_by_id(viewer.scope, form.cleaned_data["source"])
    try:
        customer_merge_check(source=source, target=target)
        if request.method == "POST":
            customer_merge(actor=viewer.actor, source=source, target=target)
            messages.success(request, gettext("The customers are merged."))
            return redirect("workspace:customer-detail", customer_id=target.pk)
    except DomainError as error:
        messages.error(request, refusal_message(error))
        return redirect("workspace:customer-detail", customer_id=target.pk)
    return render(
        request,
        "workspace/customer_merge.html",
        {
            "target": target,
            "source": source,
            "moves": _preview_rows(source, viewer.scope),
            "form": MergeForm(initial={"source": source.pk}),
        },
    )
