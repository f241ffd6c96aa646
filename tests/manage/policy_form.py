"""Posting a firm's (Manage Employees) or a client's (its page) sign-in policy form as a
browser does: every field as saved, with the changes a test makes."""

from accounts.models import Client, Firm
from manage.forms import SignInPolicyForm

BOXES = ("passkey_sign_in_allowed", "security_key_required_for_admins",
         "allow_remembered_browsers")


def page_url(holder: Firm | Client) -> str:
    return f"/manage/clients/{holder.pk}/" if isinstance(holder, Client) else "/manage/employees/"


def policy_data(holder: Firm | Client, **changes) -> dict:
    """The form as the page shows it, then ``changes`` (None unticks a box)."""
    holder.refresh_from_db()
    form = SignInPolicyForm(holder=holder)
    data = {"methods": form.initial["methods"], "phone_region": form.initial["phone_region"]}
    data.update({name: "on" for name in BOXES if name in form.fields and form.initial[name]})
    if isinstance(holder, Client):
        data.update({"two_factor_required": "on"} if holder.two_factor_required else {})
    else:
        data["two_factor_required"] = "yes" if holder.two_factor_required else "no"
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def post_policy(client, holder: Firm | Client, **changes):
    return client.post(page_url(holder), policy_data(holder, **changes))
