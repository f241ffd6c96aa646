"""Plain-text templates (emails, the backup codes file) rendered as text.

The template engine escapes for HTML, so a key named ``O'Brien <Key> & "Co"`` reached a
plain-text email as ``O&#x27;Brien &lt;Key&gt; &amp; &quot;Co&quot;``. ``render_text``
renders a ``.txt`` template from the same folders with escaping off; pages stay escaped.
"""

from django.template import Context, engines


def render_text(template_name: str, context: dict) -> str:
    """``template_name`` rendered with ``context``, nothing HTML-escaped."""
    template = engines["django"].engine.get_template(template_name)
    return template.render(Context(context, autoescape=False))
