from django.urls import path

from . import views

app_name = "consultations"

urlpatterns = [
    path("", views.request_form, name="request_form"),
    path("thanks/", views.thanks, name="thanks"),
    path("call/cancelled/", views.call_cancelled, name="call_cancelled"),
    path("call/<str:token>/", views.change_call, name="change_call"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
