"""The Partner Portal app's URLs, all under /app/ (the manifest's scope and the service
worker's) but the Security page's set-up and removal: the app's pages for the phone, its API,
and the desktop's part (push's ``urlpatterns`` includes them)."""

from django.urls import path

from twofactor.methods.push.portal_app import api, pages, views

app_urlpatterns = [
    path("app/", pages.start, name="portal_app_start"),
    path("app/pair/", pages.pair, name="portal_app_pair_page"),
    path("app/manifest.webmanifest", pages.manifest, name="portal_app_manifest"),
    path("app/sw.js", pages.service_worker, name="portal_app_service_worker"),
]
api_urlpatterns = [
    path("app/api/pair", api.pair, name="portal_app_pair"),
    path("app/api/challenge", api.challenge, name="portal_app_challenge"),
    path("app/api/requests", api.requests, name="portal_app_requests"),
    path("app/api/answer", api.answer, name="portal_app_answer"),
    path("app/api/subscription", api.subscription, name="portal_app_subscription"),
]
security_urlpatterns = [
    path("security/phone-app/", views.set_up, name="portal_app_set_up"),
    path("security/phone-app/qr.svg", views.qr_code, name="portal_app_qr"),
    path("security/phone-app/<int:phone_id>/remove/", views.remove, name="portal_app_remove"),
]
urlpatterns = [*app_urlpatterns, *api_urlpatterns, *security_urlpatterns]
