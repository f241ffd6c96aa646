"""URLconf for the callback tests: the callbacks mounted where the project mounts them."""

from django.urls import include, path

urlpatterns = [path("twofactor/callbacks/", include("twofactor.callback_urls"))]
