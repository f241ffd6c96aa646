"""A first way to sign in, set up right after the password (issue 21's first sign-in).

Where a second factor is required and a person has none, the password alone must not let
anyone add one (a stolen password would then own the account). So the first factor needs
the password, a single-use code emailed to the person, and an open enrolment window
(``windows``): opened by the invitation or by an admin, closed by a recent password reset,
email change or factor reset unless an admin opened it after that. ``first_signin`` holds
the session's state; ``views`` is the one page.
"""
