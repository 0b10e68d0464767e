from django.urls import path

from aftercare.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
