"""Customers sign in to a brand's help centre with an emailed link, and sign out.

Asking for a link answers the same for every well-formed address: the page says "if this
address is ours, a link is on its way" and the work that tells them apart happens in a task.
Opening the link shows a button; only pressing it (a POST) spends the link, so a mail scanner
that fetches links does not use it up.
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lagniappe.customers import portal_sign_in
from lagniappe.portal import customer_session, visitor
from lagniappe.portal.tasks import sign_in_link_send_task
from lagniappe.portal.views import brand_or_404, page_render


class SignInForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=320,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


def _redirect(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _private(response: HttpResponse) -> HttpResponse:
    """A page whose URL holds a secret: neither cached nor named to other sites."""
    response.headers["Cache-Control"] = "no-store"
    # Not "no-referrer": the browser would then post the sign-in button with `Origin: null`,
    # which Django's CSRF check rightly refuses.
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest, brand_slug: str) -> HttpResponse:
    brand = brand_or_404(brand_slug)
    language = visitor.language_candidates(request, brand)[0]
    with translation.override(language.lower()):
        form = SignInForm(request.POST if request.method == "POST" else None)
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                address = portal_sign_in.sign_in_address_normalise(form.cleaned_data["email"])
                if address is not None:
                    allowed = portal_sign_in.sign_in_request_record(
                        brand=brand,
                        address=address,
                        remote_addr=request.META.get("REMOTE_ADDR", ""),
                    )
                    if not allowed:
                        context = {"form": form, "too_many": True}
                        return page_render(
                            request, brand, "portal/sign_in.html", context, language, status=429
                        )
                    link_base = request.build_absolute_uri(
                        reverse("portal:sign-in-link", args=[brand.slug, "-"])
                    ).removesuffix("-")
                    # The database task backend stores the task with this request's writes.
                    sign_in_link_send_task.enqueue(brand.pk, address, language, link_base)
                    url = reverse("portal:sign-in-sent", args=[brand.slug])
                    return _redirect(f"{url}?language={language}")
                form.add_error("email", _("Enter a valid email address."))
        return page_render(
            request, brand, "portal/sign_in.html", {"form": form}, language, status=status
        )


@require_GET
def sign_in_sent(request: HttpRequest, brand_slug: str) -> HttpResponse:
    brand = brand_or_404(brand_slug)
    language = visitor.language_candidates(request, brand)[0]
    minutes = int(portal_sign_in.SIGN_IN_LINK_LIFETIME.total_seconds() // 60)
    with translation.override(language.lower()):
        return page_render(
            request, brand, "portal/sign_in_sent.html", {"minutes": minutes}, language
        )


@require_http_methods(["GET", "POST"])
def sign_in_link(request: HttpRequest, brand_slug: str, token: str) -> HttpResponse:
    brand = brand_or_404(brand_slug)
    language = visitor.language_candidates(request, brand)[0]
    with translation.override(language.lower()):
        if request.method == "POST":
            signed_in = portal_sign_in.sign_in_link_use(brand=brand, token=token)
            if signed_in is not None:
                customer_session.session_sign_in(request, brand, signed_in)
                return _private(_redirect(reverse("portal:conversations", args=[brand.slug])))
            live = False
        else:
            live = portal_sign_in.sign_in_link_check(brand=brand, token=token)
        # Unknown, used, expired, tampered with and another brand's links all look the same.
        response = page_render(
            request,
            brand,
            "portal/sign_in_link.html",
            # Never the link's own path: "talk to a person" would carry it to an agent.
            {"live": live, "page_path": reverse("portal:sign-in", args=[brand.slug])},
            language,
            status=200 if live else 404,
        )
        return _private(response)


@require_POST
def sign_out(request: HttpRequest, brand_slug: str) -> HttpResponse:
    brand = brand_or_404(brand_slug)
    customer_session.session_sign_out(request, brand)
    return _redirect(reverse("portal:home", args=[brand.slug]))
