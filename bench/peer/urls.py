from django.urls import include, path
from two_factor.urls import urlpatterns as two_factor_urls

from bench.peer import views

urlpatterns = [
    path("page/", views.page, name="page"),
    path("", include(two_factor_urls)),  # its sign-in at /account/login/, as documented
]
