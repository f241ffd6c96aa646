from django.apps import AppConfig


class PushConfig(AppConfig):
    """A sign-in method's plug-in app: its models, migrations, templates, and the
    Method class the registry reads (``method_class``)."""

    name = "twofactor.methods.push"
    label = "push"
    method_class = "twofactor.methods.push.method.PushMethod"
    verbose_name = "Push (OneTouch)"
