from django.urls import path

from twofactor.phone_sim import views

app_name = "phone_sim"

urlpatterns = [
    path("", views.phones, name="phones"),
    path("requests/<uuid:approval_id>/<str:answer>/", views.answer, name="answer"),
    path("phones/<int:user_id>/devices/", views.add_handset, name="add_handset"),
    path("devices/<int:handset_id>/remove/", views.remove_handset, name="remove_handset"),
]
