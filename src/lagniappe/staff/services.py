from __future__ import annotations

import zoneinfo
from collections.abc import Iterable

from django.db import transaction

from lagniappe.core import clock
from lagniappe.core.actors import Actor
from lagniappe.core.errors import InvalidInput, PermissionDenied
from lagniappe.core.languages import Language
from lagniappe.core.services import audit_record
from lagniappe.core.tokens import token_generate
from lagniappe.staff.models import (
    Agent,
    AgentLanguage,
    AgentSkill,
    AgentToken,
    CannedResponse,
    Role,
    Skill,
    Team,
)
from lagniappe.tenancy.models import Brand, Organisation


@transaction.atomic
def agent_create(
    *,
    actor: Actor,
    organisation: Organisation,
    email: str,
    display_name: str,
    password: str | None = None,
    role: str = Role.AGENT,
    brands: Iterable[Brand] = (),
    languages: Iterable[tuple[str, str]] = (),
    time_zone: str = "UTC",
    ui_language: str = "",
) -> Agent:
    email = email.strip().lower()
    if Agent.objects.filter(email=email).exists():
        raise InvalidInput("An agent with this email exists.", details={"email": email})
    is_admin = role == Role.ADMIN
    agent = Agent.objects.create_user(
        email,
        password,
        organisation=organisation,
        display_name=display_name,
        role=role,
        time_zone=time_zone,
        ui_language=ui_language,
        is_staff=is_admin,
        is_superuser=is_admin,
    )
    agent.brands.set(list(brands))
    AgentLanguage.objects.bulk_create(
        AgentLanguage(agent=agent, language=code, proficiency=level) for code, level in languages
    )
    audit_record(
        actor=actor,
        action="agent.create",
        object_type="agent",
        object_id=agent.pk,
        after={"email": email, "role": role, "brands": [b.pk for b in agent.brands.all()]},
    )
    return agent


@transaction.atomic
def team_create(
    *,
    actor: Actor,
    organisation: Organisation,
    name: str,
    slug: str,
    brands: Iterable[Brand] = (),
    members: Iterable[Agent] = (),
    handles_complaints: bool = False,
) -> Team:
    team = Team.objects.create(
        organisation=organisation, name=name, slug=slug, handles_complaints=handles_complaints
    )
    team.brands.set(list(brands))
    team.members.set(list(members))
    audit_record(
        actor=actor,
        action="team.create",
        object_type="team",
        object_id=team.pk,
        after={"name": name, "members": [m.pk for m in team.members.all()]},
    )
    return team


@transaction.atomic
def skill_grant(*, actor: Actor, agent: Agent, skill_slug: str, level: int = 3) -> AgentSkill:
    if not 1 <= level <= 5:
        raise InvalidInput("Skill level must be between 1 and 5.", details={"level": level})
    assert agent.organisation is not None
    skill, _ = Skill.objects.get_or_create(
        organisation=agent.organisation,
        slug=skill_slug,
        defaults={"name": skill_slug.replace("-", " ").capitalize()},
    )
    grant, _ = AgentSkill.objects.update_or_create(
        agent=agent, skill=skill, defaults={"level": level}
    )
    audit_record(
        actor=actor,
        action="agent.skill_grant",
        object_type="agent",
        object_id=agent.pk,
        after={"skill": skill_slug, "level": level},
    )
    return grant


@transaction.atomic
def token_create(*, actor: Actor, agent: Agent, name: str = "api") -> tuple[AgentToken, str]:
    """Create a bearer token; the secret is returned once and never stored."""
    secret, digest = token_generate("lgp")
    token = AgentToken.objects.create(agent=agent, name=name, prefix=secret[:12], digest=digest)
    audit_record(
        actor=actor,
        action="agent.token_create",
        object_type="agent",
        object_id=agent.pk,
        after={"token": token.prefix, "name": name},
    )
    return token, secret


@transaction.atomic
def token_revoke(*, actor: Actor, token: AgentToken) -> None:
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="agent.token_revoke",
        object_type="agent",
        object_id=token.agent_id,
        before={"token": token.prefix},
    )


TOKEN_USE_RESOLUTION_SECONDS = 60


def token_mark_used(*, token: AgentToken) -> None:
    """Record that a token was used, at most once a minute so requests stay cheap.

    Not audited: using a token changes nothing anyone decided.
    """
    now = clock.now()
    last = token.last_used_at
    if last is not None and (now - last).total_seconds() < TOKEN_USE_RESOLUTION_SECONDS:
        return
    AgentToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


@transaction.atomic
def agent_preferences_set(
    *,
    actor: Actor,
    agent: Agent,
    ui_language: str | None = None,
    time_zone: str | None = None,
    notify_desktop: bool | None = None,
    notify_sound: bool | None = None,
) -> Agent:
    """Change the agent's interface language, time zone and notification choices; None
    leaves one alone."""
    changes: dict[str, object] = {}
    if ui_language is not None:
        if ui_language not in Language.values:
            raise InvalidInput("Unknown interface language.", details={"ui_language": ui_language})
        changes["ui_language"] = ui_language
    if time_zone is not None:
        if time_zone not in zoneinfo.available_timezones():
            raise InvalidInput("Unknown time zone.", details={"time_zone": time_zone})
        changes["time_zone"] = time_zone
    if notify_desktop is not None:
        changes["notify_desktop"] = bool(notify_desktop)
    if notify_sound is not None:
        changes["notify_sound"] = bool(notify_sound)
    before = {field: getattr(agent, field) for field in changes}
    changed = {field: value for field, value in changes.items() if before[field] != value}
    if not changed:
        return agent
    for field, value in changed.items():
        setattr(agent, field, value)
    agent.save(update_fields=list(changed))
    audit_record(
        actor=actor,
        action="agent.preferences_set",
        object_type="agent",
        object_id=agent.pk,
        before={field: before[field] for field in changed},
        after=changed,
    )
    return agent


MAX_CHAT_CAPACITY = 20
CAPACITY_SETTERS = frozenset({Role.ADMIN, Role.SUPERVISOR})


@transaction.atomic
def agent_capacity_set(*, actor: Actor, by: Agent, agent: Agent, chat_capacity: int) -> Agent:
    """How many chats the agent takes at once (0 = none offered automatically). Only an
    administrator or a supervisor of the same organisation sets it; whether `agent` is within
    their brands is the caller's access check."""
    if by.role not in CAPACITY_SETTERS or by.organisation_id != agent.organisation_id:
        raise PermissionDenied("Only a supervisor or an administrator sets chat capacity.")
    if not 0 <= chat_capacity <= MAX_CHAT_CAPACITY:
        raise InvalidInput(
            "Chat capacity must be between 0 and 20.", details={"chat_capacity": chat_capacity}
        )
    before = agent.chat_capacity
    if before == chat_capacity:
        return agent
    agent.chat_capacity = chat_capacity
    agent.save(update_fields=["chat_capacity"])
    audit_record(
        actor=actor,
        action="agent.capacity_set",
        object_type="agent",
        object_id=agent.pk,
        before={"chat_capacity": before},
        after={"chat_capacity": chat_capacity},
    )
    return agent


@transaction.atomic
def canned_response_create(
    *, actor: Actor, brand: Brand, shortcut: str, title: str, text: str, language: str = ""
) -> CannedResponse:
    """A prepared reply of the brand (administrators also manage them in the admin)."""
    shortcut = shortcut.strip().lstrip("/")
    if not shortcut or not title.strip() or not text.strip():
        raise InvalidInput("A canned response needs a shortcut, a title and a text.")
    if language and language not in Language.values:
        raise InvalidInput("Unknown language.", details={"language": language})
    if CannedResponse.objects.filter(brand=brand, language=language, shortcut=shortcut).exists():
        raise InvalidInput("This shortcut exists.", details={"shortcut": shortcut})
    response = CannedResponse.objects.create(
        brand=brand, language=language, shortcut=shortcut[:40], title=title[:200], text=text
    )
    audit_record(
        actor=actor,
        action="canned_response.create",
        object_type="canned_response",
        object_id=response.pk,
        brand_id=brand.pk,
        after={"shortcut": response.shortcut, "language": language},
    )
    return response
