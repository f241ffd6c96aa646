from django.urls import path

from bench.bare import views

urlpatterns = [path("page/", views.page, name="page")]
