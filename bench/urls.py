"""The product's URLs plus the baselines, under /bench/baseline/ (bench server only)."""

from django.urls import path

from bench import views
from portal.urls import urlpatterns as product_urls

urlpatterns = [
    path("bench/baseline/json/", views.trivial_json, name="bench_json"),
    path("bench/baseline/page/", views.plain_page, name="bench_page"),
    *product_urls,
]
