"""``python -m bench.peer.seed COOKIES COUNT``: migrate the peer project's database, make
COUNT people each with a confirmed TOTP device, sign each in verified and write their
Cookie headers to COOKIES, one a line.

Run by the harness in its own process (DJANGO_SETTINGS_MODULE=bench.peer.settings): one
process cannot hold two Django settings. People and devices are made with ``bulk_create``
and one password hash; each session is made as two_factor's LoginView makes it: the user's
``otp_device`` set, then Django's ``login()``, whose signal has django-otp store the
device's ``persistent_id`` in the session.
"""

from __future__ import annotations

import sys
from pathlib import Path


def people(count: int) -> list:
    """COUNT users, each with a confirmed TOTP device (two_factor's "default" one)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django_otp.plugins.otp_totp.models import TOTPDevice

    User = get_user_model()
    hashed = make_password("bench-password-peer")  # one hash for all: seeding stays fast
    names = [f"peer{i}" for i in range(count)]
    User.objects.bulk_create(
        User(username=name, email=f"{name}@peer.bench", first_name=name.title(),
             password=hashed)
        for name in names
    )
    users = list(User.objects.filter(username__in=names).order_by("id"))  # pks on any database
    TOTPDevice.objects.bulk_create(TOTPDevice(user=user, name="default", confirmed=True)
                                   for user in users)
    return users


def session_cookie(user, verified: bool) -> str:
    """A signed-in session of ``user``, verified by its device when asked; its Cookie header."""
    from django.conf import settings
    from django.contrib.auth import login
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest
    from django.utils.module_loading import import_string
    from django_otp.plugins.otp_totp.models import TOTPDevice

    request = HttpRequest()
    request.session = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    request.user = AnonymousUser()  # as the middleware leaves it: login() then sets the user
    if verified:
        user.otp_device = TOTPDevice.objects.get(user=user, name="default")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session.save()
    return f"{settings.SESSION_COOKIE_NAME}={request.session.session_key}"


def main(cookies: Path, count: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    lines = [session_cookie(user, verified=True) for user in people(count)]
    cookies.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
