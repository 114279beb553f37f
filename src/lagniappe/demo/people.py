"""The demo's customers: realistic names in five languages, an email and a phone each."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from lagniappe.core.actors import Actor
from lagniappe.customers.identities import IdentityClaim
from lagniappe.customers.models import Customer, IdentityKind
from lagniappe.customers.services import identity_resolve
from lagniappe.demo import names
from lagniappe.demo.staff import BRANDS, Staff

# Which language a brand's customers mostly write in, for picking a customer's home brand.
HOME_BRAND = {"zh-Hant": "insurance", "ja": "bank"}


@dataclass
class DemoCustomer:
    customer: Customer
    name: str
    language: str
    email: str
    phone: str
    brands: list[str]
    crm_ids: dict[str, str] = field(default_factory=dict)


def customer_build(
    rng: random.Random, staff: Staff, index: int, phones_used: set[str]
) -> DemoCustomer:
    languages = list(names.LANGUAGE_WEIGHTS)
    language = rng.choices(languages, [names.LANGUAGE_WEIGHTS[c] for c in languages])[0]
    if index < len(languages):  # however small the demo, every language is in it
        language = languages[index]
    surname, surname_roman = rng.choice(names.SURNAMES[language])
    given, given_roman = rng.choice(names.GIVEN_NAMES[language])
    family_first = language in names.FAMILY_NAME_FIRST
    name = f"{surname}{given}" if family_first else f"{given} {surname}"
    email = f"{given_roman}.{surname_roman}{index + 1}@{rng.choice(names.EMAIL_DOMAINS)}"
    phone = ""
    while not phone or phone in phones_used:
        prefix, digits = rng.choice(names.PHONE_PREFIXES[language])
        phone = prefix + "".join(str(rng.randrange(10)) for _ in range(digits))
    phones_used.add(phone)
    home = HOME_BRAND.get(language) or rng.choice(list(BRANDS))
    brands = [home]
    # Every third customer deals with both the insurer and the bank.
    if index % 3 == 0:
        brands.append("bank" if home == "insurance" else "insurance")
    claims = [IdentityClaim(IdentityKind.EMAIL, email), IdentityClaim(IdentityKind.PHONE, phone)]
    customer = identity_resolve(
        actor=Actor.customer(name),
        organisation_id=staff.organisation.pk,
        brand_id=staff.brands[home].pk,
        claims=claims,
        name=name,
        language=language,
    )
    return DemoCustomer(customer, name, language, email, phone, brands)
