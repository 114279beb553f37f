"""The demo's organisation, brands, staff, teams and endpoints, created through services."""

from __future__ import annotations

from dataclasses import dataclass

from lagniappe.channels.models import Endpoint
from lagniappe.channels.services import api_key_create, endpoint_create
from lagniappe.core.actors import Actor
from lagniappe.core.channel_kinds import ChannelKind
from lagniappe.demo import names
from lagniappe.staff.models import Agent, Role, Team
from lagniappe.staff.services import agent_create, skill_grant, team_create
from lagniappe.tenancy.models import Brand, Organisation
from lagniappe.tenancy.services import brand_create, organisation_create

ORGANISATION_SLUG = "harbour-demo"
ORGANISATION_NAME = "Harbour Group"
ACTOR = Actor.system("demo")
DAYS = 90

BRANDS = {
    "insurance": ("Harbour Insurance", "harbour-insurance", "zh-Hant", "Asia/Taipei"),
    "bank": ("Harbour Bank", "harbour-bank", "ja", "Asia/Tokyo"),
}
TEAMS = {
    "claims": ("Claims & Policies", ("insurance",), False),
    "banking": ("Everyday Banking", ("bank",), False),
    "complaints": ("Customer Relations", ("insurance", "bank"), True),
}
CHANNEL_WEIGHTS = {
    ChannelKind.EMAIL: 35,
    ChannelKind.CHAT: 20,
    ChannelKind.VOICE: 15,
    ChannelKind.WEBFORM: 15,
    ChannelKind.API: 15,
}
ENDPOINT_NAMES = {
    ChannelKind.EMAIL: "Support mailbox",
    ChannelKind.CHAT: "Website chat",
    ChannelKind.VOICE: "Hotline",
    ChannelKind.WEBFORM: "Contact form",
    ChannelKind.API: "CRM integration",
}


@dataclass(frozen=True)
class Login:
    role: str
    email: str
    password: str
    display_name: str


@dataclass
class Staff:
    organisation: Organisation
    brands: dict[str, Brand]
    teams: dict[str, Team]
    agents: list[tuple[Agent, names.StaffMember]]
    endpoints: dict[tuple[str, str], Endpoint]


def demo_logins() -> list[Login]:
    logins = [Login("admin", names.ADMIN_EMAIL, names.ADMIN_PASSWORD, names.ADMIN_NAME)]
    logins += [Login("agent", m.email, names.AGENT_PASSWORD, m.display_name) for m in names.STAFF]
    return logins


def staff_build() -> Staff:
    organisation = organisation_create(actor=ACTOR, name=ORGANISATION_NAME, slug=ORGANISATION_SLUG)
    brands = {
        key: brand_create(
            actor=ACTOR,
            organisation=organisation,
            name=name,
            slug=slug,
            default_language=language,
            time_zone=zone,
            support_email=f"support@{slug}.example",
        )
        for key, (name, slug, language, zone) in BRANDS.items()
    }
    agent_create(
        actor=ACTOR,
        organisation=organisation,
        email=names.ADMIN_EMAIL,
        display_name=names.ADMIN_NAME,
        password=names.ADMIN_PASSWORD,
        role=Role.ADMIN,
        brands=list(brands.values()),
    )
    agents: list[tuple[Agent, names.StaffMember]] = []
    for member in names.STAFF:
        agent = agent_create(
            actor=ACTOR,
            organisation=organisation,
            email=member.email,
            display_name=member.display_name,
            password=names.AGENT_PASSWORD,
            brands=[brands[key] for key in member.brands],
            languages=member.languages,
            time_zone=member.time_zone,
            ui_language=member.ui_language,
        )
        for skill, level in member.skills:
            skill_grant(actor=ACTOR, agent=agent, skill_slug=skill, level=level)
        agents.append((agent, member))
    teams = {
        key: team_create(
            actor=ACTOR,
            organisation=organisation,
            name=name,
            slug=key,
            brands=[brands[b] for b in team_brands],
            members=[agent for agent, member in agents if key in member.teams],
            handles_complaints=complaints,
        )
        for key, (name, team_brands, complaints) in TEAMS.items()
    }
    endpoints: dict[tuple[str, str], Endpoint] = {}
    for key, brand in brands.items():
        for kind in CHANNEL_WEIGHTS:
            if kind == ChannelKind.API:
                endpoint, _secret = api_key_create(
                    actor=ACTOR, brand=brand, name=ENDPOINT_NAMES[kind]
                )
            else:
                endpoint = endpoint_create(
                    actor=ACTOR,
                    brand=brand,
                    kind=kind,
                    name=ENDPOINT_NAMES[kind],
                    default_language=brand.default_language,
                )
            endpoints[(key, kind)] = endpoint
    return Staff(organisation, brands, teams, agents, endpoints)
