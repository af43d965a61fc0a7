from django.urls import path

from . import views

app_name = "consultations"

urlpatterns = [
    path("", views.request_form, name="request_form"),
    path("thanks/", views.thanks, name="thanks"),
]
