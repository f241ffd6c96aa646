"""``python -m bench.bare.seed COOKIES COUNT``: migrate the bare project's database, make
COUNT people, sign each in and write their Cookie headers to COOKIES, one a line.

Run by the harness in its own process (DJANGO_SETTINGS_MODULE=bench.bare.settings): one
process cannot hold two Django settings.
"""

import sys
from pathlib import Path


def main(cookies: Path, count: int) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model, login
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.http import HttpRequest
    from django.utils.module_loading import import_string

    call_command("migrate", verbosity=0, interactive=False)
    User = get_user_model()
    hashed = make_password("bench-password-bare")  # one hash for all: seeding stays fast
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    lines = []
    for i in range(count):
        user = User.objects.create(username=f"bare{i}", email=f"bare{i}@bare.bench",
                                   first_name=f"Bare{i}", password=hashed)
        request = HttpRequest()
        request.session = store()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session.save()
        lines.append(f"{settings.SESSION_COOKIE_NAME}={request.session.session_key}")
    cookies.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
