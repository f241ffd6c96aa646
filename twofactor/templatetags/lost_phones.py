"""Template tags for the admin pages: the firm's open phone-number change requests."""

from django import template

from accounts import phones
from twofactor import recovery

register = template.Library()


@register.inclusion_tag("twofactor/_phone_change_requests.html", takes_context=True)
def phone_change_requests(context: template.Context, people: str = "employees") -> dict:
    """``{% phone_change_requests "employees" %}`` or ``"end_users"`` on Manage Clients."""
    admin = context["request"].user
    changes = recovery.open_requests_for_firm(admin.firm_id, end_users=people == "end_users")
    return {
        "admin": admin,
        "rows": [(c, phones.mask(c.old_phone), phones.mask(c.new_phone)) for c in changes],
        "next": context["request"].path,
    }
