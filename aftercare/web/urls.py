from django.contrib.auth import views as auth_views
from django.urls import path

from aftercare.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("orders/table/", views.orders_table, name="orders_table"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html",
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("portal/", views.portal_home, name="portal_home"),
]
