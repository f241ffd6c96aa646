"""Admin > Manage Clients: the firm's client sites, each with its end users and the
"Require two-factor authentication for end users" setting.

Clients are looked up inside the admin's firm and end users inside that client, so another
firm's (or another client's) ids give 404.
"""

from django.contrib import messages
from django.db import IntegrityError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import reauth
from accounts.models import Client, User
from accounts.permissions import firm_admin_required
from manage import people
from manage.forms import ClientNameForm, ClientTwoFactorForm, PersonForm, SignInPolicyForm
from manage.paging import paginate
from manage.views import person_actions, phone_changes, sign_in_policy
from manage.views.two_factor_switch import Confirmation

CLIENTS_PER_PAGE = 50


@never_cache
@firm_admin_required
def manage_clients(request: HttpRequest) -> HttpResponse:
    firm = request.user.firm
    form = ClientNameForm(data=request.POST or None, firm=firm)
    if request.method == "POST" and form.is_valid():
        try:
            client = people.add_client(
                firm, form.cleaned_data["name"], actor=request.user, request=request
            )
        except IntegrityError:
            form.add_error("name", "Your firm already has a client with this name.")
        else:
            messages.success(request, f"{client} was added.")
            return redirect("client_detail", pk=client.pk)
    clients = Client.objects.filter(firm=firm).annotate(end_user_count=Count("end_users"))
    page = paginate(clients, ["name", "id"], request.GET.get("cursor", ""), CLIENTS_PER_PAGE)
    return render(
        request,
        "manage/manage_clients.html",
        {
            "firm": firm,
            "page": page,
            "form": form,
            **phone_changes.open_changes(request, end_users=True),
        },
    )


def _client(request: HttpRequest, pk: int) -> Client:
    return get_object_or_404(Client, pk=pk, firm=request.user.firm)


@never_cache
@firm_admin_required
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client = _client(request, pk)
    holder = sign_in_policy.Holder(
        client, people.end_users(client), f"{client}'s end users",
        lambda on: people.set_client_two_factor(client, on, actor=request.user, request=request),
    )
    switch_form = ClientTwoFactorForm(
        initial={
            "two_factor_required": client.two_factor_required,
            "shown": "on" if client.two_factor_required else "off",
        }
    )
    policy_form = SignInPolicyForm(holder=client)
    name_form = ClientNameForm(firm=request.user.firm, client=client)
    confirmation = None
    password_check = reauth.PasswordCheck(request)
    if request.method == "POST" and request.POST.get("action") == "rename":
        name_form = ClientNameForm(data=request.POST, firm=request.user.firm, client=client)
        if name_form.is_valid():
            try:
                people.rename_client(
                    client.pk,
                    name_form.cleaned_data["name"],
                    name_form.cleaned_data["version"],
                    actor=request.user,
                    request=request,
                )
            except people.StaleEdit as stale:
                name_form.show_current(stale.current)
            except IntegrityError:
                name_form.add_error("name", "Your firm already has a client with this name.")
            else:
                messages.success(request, "The client was renamed.")
                return redirect(request.path)
    elif request.method == "POST":
        switch_form = ClientTwoFactorForm(request.POST)
        policy_form = sign_in_policy.posted_policy(request, client)
        outcome = sign_in_policy.save(request, holder, switch_form, policy_form, password_check)
        if isinstance(outcome, Confirmation):
            confirmation = outcome
        elif outcome is not None:
            return outcome
    failed = request.method == "POST" and confirmation is None
    return render(
        request,
        "manage/client_detail.html",
        {
            "client": client,
            "name_form": name_form,
            "form": switch_form,
            "policy_form": policy_form,
            "confirmation": confirmation,
            "password_check": password_check,
            **sign_in_policy.ways(client),
            **person_actions.people_table(request, people.end_users(client)),
        },
        status=400 if failed else 200,
    )


def _end_user(request: HttpRequest, client_pk: int, pk: int) -> tuple[Client, User]:
    client = _client(request, client_pk)
    person = get_object_or_404(
        User.objects.select_related("firm", "client"),
        pk=pk,
        client=client,
        firm=request.user.firm,
        role=User.Role.END_USER,
    )
    return client, person


def _context(client: Client, person: User | None = None) -> dict:
    context = {
        "title": f"Add an end user to {client}",
        "kind": "end user",
        "client": client,
        "back_url": reverse("client_detail", args=[client.pk]),
        "back_label": client.name,
    }
    if person is not None:
        context["title"] = f"Edit {person}"
        context["action_urls"] = {
            "deactivate": reverse("end_user_deactivate", args=[client.pk, person.pk]),
            **{
                name: reverse("end_user_action", args=[client.pk, person.pk, name])
                for name in person_actions.POST_ACTIONS
            },
        }
    return context


@never_cache
@firm_admin_required
def add_end_user(request: HttpRequest, client_pk: int) -> HttpResponse:
    client = _client(request, client_pk)
    return person_actions.add_person(
        request,
        PersonForm,
        client=client,
        back_url=reverse("client_detail", args=[client.pk]),
        context=_context(client),
    )


@never_cache
@firm_admin_required
def edit_end_user(request: HttpRequest, client_pk: int, pk: int) -> HttpResponse:
    client, person = _end_user(request, client_pk, pk)
    return person_actions.edit_person(
        request,
        person,
        PersonForm,
        back_url=reverse("client_detail", args=[client.pk]),
        context=_context(client, person),
    )


@never_cache
@firm_admin_required
def deactivate_end_user(request: HttpRequest, client_pk: int, pk: int) -> HttpResponse:
    client, person = _end_user(request, client_pk, pk)
    return person_actions.deactivate_person(
        request,
        person,
        back_url=reverse("client_detail", args=[client.pk]),
        context=_context(client, person),
    )


@require_POST
@firm_admin_required
def end_user_action(request: HttpRequest, client_pk: int, pk: int, action: str) -> HttpResponse:
    """Reactivate, unlock, or send the invitation again."""
    client, person = _end_user(request, client_pk, pk)
    return person_actions.post_action(
        request, person, action, back_url=reverse("edit_end_user", args=[client.pk, pk])
    )
