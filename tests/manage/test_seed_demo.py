"""seed_demo makes the README's demo world and, run again, changes nothing and says so."""

from io import StringIO

from django.core.management import call_command

from accounts.models import Client, Firm, User


def run_seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_creates_the_demo_world(db):
    output = run_seed()

    assert "11 change(s)" in output
    acme, globex = Firm.objects.get(name="Acme IT"), Firm.objects.get(name="Globex MSP")
    assert acme.two_factor_required and not globex.two_factor_required
    assert Client.objects.get(name="Contoso Dental").two_factor_required
    assert not Client.objects.get(name="Fabrikam Law").two_factor_required
    admin = User.objects.get(email="admin@acme.example")
    assert admin.is_firm_admin and admin.check_password("portal-demo-2fa")
    assert User.objects.get(email="nophone@acme.example").phone == ""
    phones = [u.phone for u in User.objects.exclude(phone="")]
    assert len(phones) == len(set(phones)) == 5
    contoso_user = User.objects.get(email="user@contoso.example")
    assert contoso_user.is_end_user and contoso_user.client.firm == acme


def test_running_seed_demo_twice_changes_nothing_and_says_so(db):
    run_seed()
    before = list(User.objects.values_list("email", "password", "phone", "session_stamp"))

    output = run_seed()

    assert "nothing changed" in output
    assert list(User.objects.values_list("email", "password", "phone", "session_stamp")) == before
    assert Firm.objects.count() == 2 and Client.objects.count() == 2


def test_seed_demo_password_option_sets_every_demo_password(db):
    run_seed("--password", "another-long-password")

    assert User.objects.get(email="tech@globex.example").check_password("another-long-password")


def test_with_the_local_provider_demo_phones_are_registered_and_ready(db):
    from twofactor.models import PhoneDevice

    run_seed()

    registered = PhoneDevice.objects.filter(provider="local", registered_at__isnull=False)
    assert sorted(registered.values_list("number", flat=True)) == sorted(
        User.objects.exclude(phone="").values_list("phone", flat=True)
    )
