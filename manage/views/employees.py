"""Admin > Manage Employees: the firm's employees first, then its sign-in policy.

Every person is looked up inside the signed-in admin's firm, so another firm's ids give 404.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import reauth
from accounts.models import User
from accounts.permissions import firm_admin_required
from manage import people
from manage.forms import EmployeeForm, FirmTwoFactorForm, SignInPolicyForm
from manage.views import person_actions, phone_changes, sign_in_policy
from manage.views.two_factor_switch import Confirmation, own_session_steps_up_if_on


@never_cache
@firm_admin_required
def manage_employees(request: HttpRequest) -> HttpResponse:
    firm = request.user.firm
    holder = sign_in_policy.Holder(
        firm, people.employees(firm), firm.name,
        lambda on: people.set_firm_two_factor(firm, on, actor=request.user, request=request),
    )
    switch_form = FirmTwoFactorForm(
        actor=request.user,
        initial={
            "two_factor_required": "yes" if firm.two_factor_required else "no",
            "shown": "on" if firm.two_factor_required else "off",
        },
    )
    policy_form = SignInPolicyForm(holder=firm)
    confirmation = None
    password_check = reauth.PasswordCheck(request)
    if request.method == "POST":
        switch_form = FirmTwoFactorForm(request.POST, actor=request.user)
        policy_form = sign_in_policy.posted_policy(request, firm)
        outcome = sign_in_policy.save(request, holder, switch_form, policy_form, password_check)
        if isinstance(outcome, Confirmation):
            confirmation = outcome
        elif outcome is not None:
            return outcome
    failed = request.method == "POST" and confirmation is None
    return render(
        request,
        "manage/manage_employees.html",
        {
            "firm": firm,
            "steps_up_on": not firm.two_factor_required and own_session_steps_up_if_on(request),
            "form": switch_form,
            "policy_form": policy_form,
            "confirmation": confirmation,
            "password_check": password_check,
            **sign_in_policy.ways(firm),
            **person_actions.people_table(request, people.employees(firm)),
            **phone_changes.open_changes(request, end_users=False),
        },
        status=400 if failed else 200,
    )


def _employee(request: HttpRequest, pk: int) -> User:
    return get_object_or_404(
        User.objects.select_related("firm"),
        pk=pk,
        firm=request.user.firm,
        role__in=people.EMPLOYEE_ROLES,
    )


def _context(person: User | None = None) -> dict:
    context = {
        "title": "Add employee",
        "kind": "employee",
        "back_url": reverse("manage_employees"),
        "back_label": "Manage Employees",
    }
    if person is not None:
        context["title"] = f"Edit {person}"
        context["action_urls"] = {
            "deactivate": reverse("employee_deactivate", args=[person.pk]),
            **{
                name: reverse("employee_action", args=[person.pk, name])
                for name in person_actions.POST_ACTIONS
            },
        }
    return context


@never_cache
@firm_admin_required
def add_employee(request: HttpRequest) -> HttpResponse:
    return person_actions.add_person(
        request, EmployeeForm, client=None, back_url=reverse("manage_employees"), context=_context()
    )


@never_cache
@firm_admin_required
def edit_employee(request: HttpRequest, pk: int) -> HttpResponse:
    person = _employee(request, pk)
    return person_actions.edit_person(
        request,
        person,
        EmployeeForm,
        back_url=reverse("manage_employees"),
        context=_context(person),
    )


@never_cache
@firm_admin_required
def deactivate_employee(request: HttpRequest, pk: int) -> HttpResponse:
    person = _employee(request, pk)
    return person_actions.deactivate_person(
        request, person, back_url=reverse("manage_employees"), context=_context(person)
    )


@require_POST
@firm_admin_required
def employee_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Reactivate, unlock, or send the invitation again."""
    return person_actions.post_action(
        request, _employee(request, pk), action, back_url=reverse("edit_employee", args=[pk])
    )
