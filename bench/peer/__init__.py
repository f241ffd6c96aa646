"""The peer: a minimal Django project with django-two-factor-auth (bench only).

Issue 20 asks for the verified dashboard's targets "in the same run as
django-two-factor-auth where it applies". This is that peer: bare Django's project
(bench/bare/) plus django-otp's ``OTPMiddleware`` and two_factor's apps, serving one
``otp_required`` page of the dashboard's size to sessions verified by a TOTP device, on the
same gunicorn, worker class, database kind and session engine as bare Django. Its packages
are the bench's own (bench/requirements.txt), never the portal's.
"""
