"""Content gaps for editors: what the help centre of one brand could not answer lately
(searches with no result or no click, "did this help? no", deflected visits)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from lagniappe.core import clock
from lagniappe.core.languages import Language
from lagniappe.knowledge.editor_selectors import brand_scope
from lagniappe.knowledge.selectors import content_gaps
from lagniappe.workspace.knowledge_editor_forms import ANY
from lagniappe.workspace.viewer import viewer_of
from lagniappe.workspace.views.knowledge_editor import (
    brand_chosen,
    editor_required,
    language_labels,
)

PERIODS = (7, 30, 90)


class GapsFilterForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[ANY, *Language.choices]
    )
    days = forms.TypedChoiceField(
        label=_("Period"),
        required=False,
        coerce=int,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built per request: the label is in the reader's language.
        self.fields["days"].choices = [  # type: ignore[attr-defined]
            (days, gettext("Last %(days)s days") % {"days": days}) for days in PERIODS
        ]


@login_required
@require_GET
def content_gaps_page(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    editor_required(viewer)
    brand, brands = brand_chosen(viewer, request.GET.get("brand"))
    form = GapsFilterForm(request.GET)
    language, days = "", 30
    if form.is_valid():
        language, days = form.cleaned_data["language"], form.cleaned_data["days"] or 30
    gaps = content_gaps(
        brand_scope(viewer.scope, brand.pk),
        clock.now() - timedelta(days=days),
        language=language or None,
    )
    return render(
        request,
        "workspace/knowledge/gaps.html",
        {
            "brand": brand,
            "brands": brands,
            "form": form,
            "gaps": gaps,
            "days": days,
            "can_edit": True,
            "language_labels": language_labels(),
        },
    )
