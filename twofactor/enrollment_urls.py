"""URL of the push enrollment step; the project mounts it at ``twofactor/push/``."""

from django.urls import path

from twofactor import enrollment

urlpatterns = [path("enrollment/", enrollment.push_enrollment, name="push_enrollment")]
