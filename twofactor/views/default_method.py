"""A person's default way for the second step (Security page): the password step starts
with it. Someone who prefers SMS is texted at the password step instead of pushed."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.audit import Tag
from accounts.models import User
from twofactor import methods


class DefaultMethodForm(forms.Form):
    method = forms.ChoiceField(label="Default way to sign in", widget=forms.RadioSelect)

    def __init__(self, user: User, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(method.name, method.label) for method in methods.preferable_for(user)]
        self.fields["method"].choices = choices
        self.fields["method"].initial = user.preferred_method or (choices[0][0] if choices else "")


def security_context(request: HttpRequest) -> dict:
    """The Security page's "Default way to sign in" form (only with two or more ways)."""
    form = DefaultMethodForm(request.user)
    return {"default_method_form": form if len(form.fields["method"].choices) > 1 else None}


@login_required
@require_POST
def choose(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = DefaultMethodForm(user, request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the ways listed.")
        return redirect("security")
    chosen = form.cleaned_data["method"]
    User.objects.filter(pk=user.pk).update(preferred_method=chosen)
    audit.record(Tag.DEFAULT_METHOD_CHOSEN, request=request, subject=user, method=chosen)
    label = methods.get(chosen).label
    messages.success(request, f"Your default way to sign in is now {label}.")
    return redirect("security")
