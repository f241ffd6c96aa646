"""What Manage Employees and a client's page both do to one person: add, edit, deactivate,
reactivate, unlock, invite again. The calling view has already found the person in the
admin's own firm (or 404), so these never look anyone up by a submitted id."""

from django.contrib import messages
from django.contrib.auth import logout
from django.db import IntegrityError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode

from accounts import phones, reauth
from accounts.models import Client, User
from manage import directory, people
from manage.forms import EMAIL_TAKEN, PersonForm, SearchForm
from twofactor import methods
from twofactor.conf import conf as enrolment_conf
from twofactor.enrolment import windows
from twofactor.providers.base import ProviderError
from twofactor.signin import lockout


def people_table(request: HttpRequest, everyone: QuerySet[User]) -> dict:
    """The search form and one page of the table (for the template's context)."""
    search = SearchForm(request.GET)
    criteria = search.cleaned_data if search.is_valid() else {"q": "", "show": ""}
    chosen = directory.not_ready(directory.search(everyone, criteria["q"]), criteria["show"])
    page = directory.page_of(chosen, request.GET.get("cursor", ""))
    keep = urlencode({key: value for key, value in criteria.items() if value})
    return {"search": search, "filtered": bool(keep), "page": page, "keep": keep}


def add_person(
    request: HttpRequest,
    form_class: type[PersonForm],
    *,
    client: Client | None,
    back_url: str,
    context: dict,
) -> HttpResponse:
    password_check = reauth.PasswordCheck(request)
    region = client.region if client is not None else request.user.firm.region
    form = form_class(data=request.POST or None, region=region)
    # Both are checked, so every mistake shows at once; the password counts only with a valid form.
    if request.method == "POST" and form.is_valid() and password_check.passes():
        try:
            person, sent = people.invite(
                form.profile(),
                firm=request.user.firm,
                client=client,
                actor=request.user,
                request=request,
            )
        except ProviderError as error:
            form.add_error("phone", f"{error.user_message} Nothing was saved; try again.")
        except IntegrityError:
            form.add_error("email", EMAIL_TAKEN)
        else:
            if sent:
                messages.success(
                    request, f"{person} was added and invited by email to set a password."
                )
            else:
                messages.warning(
                    request,
                    f"{person} was added, but the invitation email could not be sent. "
                    "Use “Send the invitation again” on their page.",
                )
            return redirect(back_url)
    return render(
        request,
        "manage/person_form.html",
        {**context, "form": form, "adding": True, "password_check": password_check},
    )


def edit_person(
    request: HttpRequest,
    person: User,
    form_class: type[PersonForm],
    *,
    back_url: str,
    context: dict,
) -> HttpResponse:
    password_check = reauth.PasswordCheck(request)
    current = person
    if request.method == "POST":
        form = form_class(data=request.POST, person=person, actor=request.user)
        if form.is_valid() and password_check.passes():
            try:
                change = people.save_profile(
                    person.pk,
                    form.profile(),
                    form.cleaned_data["version"],
                    actor=request.user,
                    request=request,
                )
            except people.StaleEdit as stale:
                current = stale.current
                form.show_current(current)
            except people.NotAllowed as refusal:
                form.add_error(None, str(refusal))
            except ProviderError as error:
                form.add_error(
                    "phone", f"{error.user_message} The number was not changed; try again."
                )
            except IntegrityError:
                form.add_error("email", EMAIL_TAKEN)
            else:
                messages.success(request, f"{change.person} was saved.")
                return redirect(back_url)
    else:
        form = form_class(person=person, actor=request.user)
    return render(
        request,
        "manage/person_form.html",
        {
            **context,
            "form": form,
            "person": person,
            "current": current,
            "current_phone": phones.display(current.phone),
            "locked": lockout.is_locked(person),
            "set_up_window_until": windows.open_until(person),
            "password_check": password_check,
            "factors": methods.removable_factors(person) if person.pk != request.user.pk else [],
        },
    )


def deactivate_person(
    request: HttpRequest, person: User, *, back_url: str, context: dict
) -> HttpResponse:
    """GET asks to confirm; POST (with a recent password, or typed there) deactivates."""
    password_check = reauth.PasswordCheck(request)
    if request.method == "POST" and password_check.passes():
        try:
            people.set_active(person.pk, False, actor=request.user, request=request)
        except people.NotAllowed as refusal:
            messages.error(request, str(refusal))
            return redirect(back_url)
        if person.pk == request.user.pk:
            logout(request)
            return redirect("login")
        messages.success(request, f"{person} was deactivated and signed out everywhere.")
        return redirect(back_url)
    return render(
        request,
        "manage/confirm_deactivate.html",
        {**context, "person": person, "password_check": password_check},
    )


def reactivate_person(request: HttpRequest, person: User, *, back_url: str) -> HttpResponse:
    people.set_active(person.pk, True, actor=request.user, request=request)
    messages.success(request, f"{person} was reactivated.")
    return redirect(back_url)


def unlock_person(request: HttpRequest, person: User, *, back_url: str) -> HttpResponse:
    if people.unlock(person, actor=request.user, request=request):
        messages.success(request, f"{person} was unlocked and can sign in again.")
    else:
        messages.info(request, f"{person} was not locked.")
    return redirect(back_url)


def reinvite_person(request: HttpRequest, person: User, *, back_url: str) -> HttpResponse:
    if not person.is_active:
        messages.info(request, f"{person} is deactivated: reactivate them first.")
    elif person.has_usable_password():
        messages.info(request, f"{person} has already set a password.")
    elif people.send_invitation(person, actor=request.user, request=request):
        messages.success(request, f"A new invitation was sent to {person.email}.")
    else:
        messages.error(request, "The invitation email could not be sent. Try again later.")
    return redirect(back_url)


def open_set_up_window(request: HttpRequest, person: User, *, back_url: str) -> HttpResponse:
    """Let the person set up a first way with their password and an emailed code: a
    sensitive action, so the admin's password must be recent."""
    if not reauth.is_recent(request):
        messages.info(request, "Confirm your password, then press “Open a set-up window” again.")
        return redirect(reauth.reauth_url(back_url))
    try:
        people.open_set_up_window(person, actor=request.user, request=request)
    except people.NotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            f"A set-up window is open for {person} for {enrolment_conf.ENROLMENT_WINDOW_DAYS} "
            "days: they can log in and set up a way to sign in with their password and a "
            "code emailed to them.",
        )
    return redirect(back_url)


# The one-button actions of a person's page, posted to .../<pk>/<action>/.
POST_ACTIONS = {
    "reactivate": reactivate_person,
    "unlock": unlock_person,
    "invite": reinvite_person,
    "setup_window": open_set_up_window,
}


def post_action(request: HttpRequest, person: User, action: str, *, back_url: str) -> HttpResponse:
    if action not in POST_ACTIONS:
        raise Http404("No such action.")
    return POST_ACTIONS[action](request, person, back_url=back_url)
