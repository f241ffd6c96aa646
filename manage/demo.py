"""The demo data of the README: two firms, two clients, seven people. Used by seed_demo
and by tests that want the same world a newcomer sees."""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import Client, Firm, User
from twofactor.providers import get_provider
from twofactor.registration import register_phone

DEFAULT_PASSWORD = "portal-demo-2fa"


@dataclass(frozen=True)
class Person:
    email: str
    full_name: str
    role: str
    firm: str
    phone: str = ""
    client: str = ""


FIRMS = {"Acme IT": True, "Globex MSP": False}
CLIENTS = {("Acme IT", "Contoso Dental"): True, ("Acme IT", "Fabrikam Law"): False}
PEOPLE = [
    Person("admin@acme.example", "Avery Acme", User.Role.ADMIN, "Acme IT", "+12015550101"),
    Person("tech@acme.example", "Terry Acme", User.Role.TECH, "Acme IT", "+12015550102"),
    Person("nophone@acme.example", "Noel Acme", User.Role.TECH, "Acme IT"),
    Person("admin@globex.example", "Gale Globex", User.Role.ADMIN, "Globex MSP", "+12015550103"),
    Person("tech@globex.example", "Glen Globex", User.Role.TECH, "Globex MSP", "+12015550104"),
    Person("user@contoso.example", "Casey Contoso", User.Role.END_USER, "Acme IT",
           "+12015550105", client="Contoso Dental"),
    Person("user@fabrikam.example", "Frankie Fabrikam", User.Role.END_USER, "Acme IT",
           client="Fabrikam Law"),
]


@transaction.atomic
def seed(
    password: str = DEFAULT_PASSWORD, *, reset_password: bool = False, register: bool = False
) -> list[str]:
    """Create whatever of the demo world is missing; return a line per change made.

    With ``register`` and the local provider (no outside call), new people's phones are
    registered too, so the demo's admin pages show them ready.
    """
    changes: list[str] = []
    firms = {}
    for name, two_factor in FIRMS.items():
        firms[name], created = Firm.objects.get_or_create(
            name=name, defaults={"two_factor_required": two_factor}
        )
        if created:
            changes.append(f"created firm {name}")
    clients = {}
    for (firm_name, name), two_factor in CLIENTS.items():
        clients[name], created = Client.objects.get_or_create(
            firm=firms[firm_name], name=name, defaults={"two_factor_required": two_factor}
        )
        if created:
            changes.append(f"created client {name}")
    hashed = make_password(password)  # one hash for everyone: seeding stays fast
    for person in PEOPLE:
        user = User.objects.filter(email=person.email).first()
        if user is None:
            user = User.objects.create(
                email=person.email,
                full_name=person.full_name,
                role=person.role,
                firm=firms[person.firm],
                client=clients.get(person.client),
                phone=person.phone,
                password=hashed,
            )
            changes.append(f"created {person.email}")
            if register and user.phone and get_provider().needs_no_outside_service:
                register_phone(user)
        elif reset_password and not user.check_password(password):
            user.password = hashed
            user.save(update_fields=["password"])
            changes.append(f"set the password of {person.email}")
    return changes
