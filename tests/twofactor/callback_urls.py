"""URLconf for the callback tests: the callbacks mounted where the project mounts them.

A module of its own so that ``twofactor.callbacks`` is imported only when a test request
resolves, after the ``answers`` fixture has put ``record_answer`` in place.
"""

from django.urls import include, path

urlpatterns = [path("twofactor/callbacks/", include("twofactor.callback_urls"))]
