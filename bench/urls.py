"""The product's URLs plus the baselines, under /bench/baseline/ (bench server only).

The baselines come after every product URL, as the OneTouch poll (under login/) nearly
does, so URL resolution costs the same on both sides of a ratio."""

from django.urls import path

from bench import views
from portal.urls import handler500  # noqa: F401 (the portal's own)
from portal.urls import urlpatterns as product_urls

urlpatterns = [
    *product_urls,
    path("bench/baseline/json/", views.trivial_json, name="bench_json"),
    path("bench/baseline/page/", views.plain_page, name="bench_page"),
]
