"""The baseline's API and URLs: one create endpoint, one paged list, a health check."""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import datetime

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from ninja import NinjaAPI, Query, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer
from pydantic import ConfigDict, Field

from baseline.models import ApiToken, AuditEntry, Conversation, Customer, Identity, Message

MAX_LIMIT = 100
_CURSOR_PREFIX = "k1:"


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        # One indexed SELECT, as the product's token lookup does.
        return ApiToken.objects.filter(digest=token_digest(token.strip())).first()


class CustomerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field("", max_length=200)
    email: str = Field(max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ConversationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    customer: CustomerIn
    subject: str = Field("", max_length=300)
    text: str = Field(min_length=1, max_length=100_000)
    language: str = Field("", max_length=16)
    external_id: str = Field("", max_length=200)
    brand_id: int | None = Field(None, ge=1)


class CreatedOut(Schema):
    id: int


class ConversationOut(Schema):
    id: int
    subject: str
    language: str
    status: str
    created_at: datetime


class PageOut(Schema):
    items: list[ConversationOut]
    next: str | None


class PageQuery(Schema):
    limit: int = Field(25, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, max_length=64)


api = NinjaAPI(auth=BearerAuth(), docs_url=None, openapi_url=None, urls_namespace="baseline")


@api.post("/conversations", response={201: CreatedOut})
def conversation_create(request: HttpRequest, body: ConversationIn) -> tuple[int, dict[str, int]]:
    now = timezone.now()
    with transaction.atomic():
        customer = Customer.objects.create(name=body.customer.name, created_at=now)
        Identity.objects.create(customer=customer, kind="email", value=body.customer.email.lower())
        conversation = Conversation.objects.create(
            customer=customer,
            brand_id=body.brand_id,
            subject=body.subject,
            language=body.language,
            external_id=body.external_id,
            created_at=now,
        )
        Message.objects.create(
            conversation=conversation, direction="in", body=body.text, created_at=now
        )
        AuditEntry.objects.create(
            action="conversation.created",
            object_id=conversation.pk,
            actor=f"token:{request.auth.pk}",
            data={"customer": customer.pk},
            created_at=now,
        )
    return 201, {"id": conversation.pk}


def _cursor_encode(key: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{key}".encode()).decode().rstrip("=")


def _cursor_decode(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise HttpError(422, "invalid cursor") from None
    key = text.removeprefix(_CURSOR_PREFIX)
    if not text.startswith(_CURSOR_PREFIX) or not key.isdigit():
        raise HttpError(422, "invalid cursor")
    return int(key)


@api.get("/conversations", response=PageOut)
def conversation_list(request: HttpRequest, query: Query[PageQuery]) -> dict[str, object]:
    rows = Conversation.objects.order_by("-pk")
    if query.cursor:
        rows = rows.filter(pk__lt=_cursor_decode(query.cursor))
    page = list(rows[: query.limit + 1])
    following = None
    if len(page) > query.limit:
        page = page[: query.limit]
        following = _cursor_encode(page[-1].pk)
    return {"items": page, "next": following}


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("healthz", health),
    path("api/v1/", api.urls),
]
