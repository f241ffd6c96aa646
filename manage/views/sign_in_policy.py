"""The "Sign-in policy" part of Manage Employees (the firm's employees) and of a client's
page (its end users): two-factor authentication on or off, the ways allowed, passkeys, keys
for firm admins, remembered browsers and the phone country, in one form with one Save.

Anything that makes signing in easier or takes a way away needs the admin's password from
the last 10 minutes, typed on the form itself (``accounts.reauth.PasswordCheck``). Turning
two-factor authentication off takes a second press on a page that says what it risks;
turning it on while some people have no number lists them first.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from accounts import audit, reauth
from accounts.audit import Tag
from accounts.models import Client, Firm, User
from manage import key_rules, people
from manage.forms import SignInPolicyForm
from manage.views.two_factor_switch import Confirmation, missing_phones, said_done
from twofactor import methods


@dataclass
class Holder:
    """Whose policy a page sets, and how its switch is turned."""

    record: Firm | Client
    who: QuerySet[User]  # the people it covers
    what: str  # "Acme IT" or "Contoso Dental's end users"
    apply_switch: Callable[[bool], bool]


def ways(record: Firm | Client) -> dict[str, list[str]]:
    """The ways ``record`` allows, for the pages' intro: all, and those needing a number."""
    allowed = people.allowed_now(record)
    offered = [method for method in methods.in_policy() if method.name in allowed]
    return {
        "ways": [method.label for method in offered],
        "phone_ways": [method.label for method in offered if method.uses_phone],
    }


def posted_policy(request: HttpRequest, record: Firm | Client) -> SignInPolicyForm:
    """The policy as posted; a post without its fields (an older page, a script that
    only switches 2FA) keeps the policy as saved rather than unticking everything."""
    if "phone_region" in request.POST:
        return SignInPolicyForm(request.POST, holder=record)
    saved = SignInPolicyForm(holder=record)
    data = QueryDict(mutable=True)
    for name, value in saved.initial.items():
        if name == "methods":
            data.setlist(name, value)
        elif value is True:
            data[name] = "on"
        elif value:
            data[name] = value
    data.setdefault("phone_region", "")
    return SignInPolicyForm(data, holder=record)


def save(
    request: HttpRequest,
    holder: Holder,
    switch_form: forms.Form,
    policy_form: SignInPolicyForm,
    password_check: reauth.PasswordCheck,
) -> HttpResponse | Confirmation | None:
    """Apply the posted policy: a response (done, or the page to confirm turning it off),
    the people without a number to confirm about, or None: the forms say what is wrong."""
    if not (switch_form.is_valid() and policy_form.is_valid()):
        return None
    record = holder.record
    currently_on = record.two_factor_required
    on = switch_form.cleaned_data["two_factor_required"]
    shown = switch_form.cleaned_data["shown"]
    if shown and (shown == "on") != currently_on:
        messages.warning(
            request,
            f"Someone else turned two-factor authentication {'on' if currently_on else 'off'} "
            f"for {holder.what} while this page was open. Nothing was changed: check and save "
            "again.",
        )
        return redirect(request.path)
    turning_off = currently_on and not on
    if (turning_off or policy_form.weakens()) and not password_check.passes():
        return None
    if turning_off and not switch_form.cleaned_data["confirm_off"]:
        return render(request, "manage/two_factor_off.html", {
            "holder": holder, "switch_form": switch_form, "policy_form": policy_form,
            **ways(record),
        })
    if on and not currently_on and not switch_form.cleaned_data["confirm_missing_phones"]:
        confirmation = missing_phones(holder.who)
        if confirmation is not None:
            return confirmation
    try:
        changes = _apply_key_rules(request, record, policy_form)
    except people.NotAllowed as refusal:
        policy_form.add_error("security_key_required_for_admins", str(refusal))
        return None
    if on != currently_on:
        holder.apply_switch(on)
        said_done(request, on, holder.what)
    changes += _apply_the_rest(request, record, policy_form.cleaned_data, holder.what)
    if changes:
        messages.success(request, "Sign-in policy saved: " + "; ".join(changes) + ".")
    elif on == currently_on:
        messages.info(request, f"Nothing changed for {holder.what}.")
    return redirect(request.path)


def _apply_key_rules(
    request: HttpRequest, record: Firm | Client, form: SignInPolicyForm
) -> list[str]:
    """First, as the one part that may refuse (keys required, and the admin has none)."""
    wanted = form.key_rules()
    if isinstance(record, Client):
        if wanted["passkey_allowed"] == record.passkey_sign_in_allowed:
            return []
        return key_rules.set_client_policy(
            record, passkey_allowed=wanted["passkey_allowed"], actor=request.user,
            request=request,
        )
    return key_rules.set_firm_policy(record, actor=request.user, request=request, **wanted)


def _apply_the_rest(
    request: HttpRequest, record: Firm | Client, chosen: dict, what: str
) -> list[str]:
    changes = []
    if people.set_allowed_methods(record, chosen["methods"], actor=request.user, request=request):
        labels = dict(people.policy_choices())
        allowed = ", ".join(labels[name] for name in people.allowed_now(record))
        changes.append(f"the ways to sign in for {what} are now {allowed}")
    remember = chosen["allow_remembered_browsers"]
    if people.set_remember_browsers(record, remember, actor=request.user, request=request):
        changes.append(
            "people may now tick \"Don't ask again on this browser for 30 days\"" if remember
            else "remembering browsers is off: every browser remembered asks for the second "
            "step again"
        )
    region = chosen["phone_region"]
    if region != record.phone_region:
        type(record).objects.filter(pk=record.pk).update(phone_region=region)
        record.phone_region = region
        audit.record(Tag.PHONE_REGION_CHANGED, request=request, actor=request.user,
                     firm=request.user.firm, region=region or "default",
                     **({"client": record.name} if isinstance(record, Client) else {}))
        changes.append(f"numbers without a country code are now read as {record.region} numbers")
    return changes
