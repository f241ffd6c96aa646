"""Backup codes' URL: making a new set from the Security page."""

from django.urls import path

from twofactor.methods.backup_codes import views

challenge_urlpatterns: list = []
urlpatterns = [
    path("security/backup-codes/", views.make_backup_codes, name="backup_codes"),
]
