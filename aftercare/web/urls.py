from django.contrib.auth import views as auth_views
from django.urls import path

from aftercare.web import case_views, portal_views, views

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
    path("cases/", case_views.case_list, name="case_list"),
    path("cases/<int:case_id>/", case_views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/approve/", case_views.approve, name="case_approve"),
    path("cases/<int:case_id>/reject/", case_views.reject, name="case_reject"),
    path("cases/<int:case_id>/receive/", case_views.receive, name="case_receive"),
    path(
        "cases/<int:case_id>/start-inspection/",
        case_views.start_inspection,
        name="case_start_inspection",
    ),
    path("cases/<int:case_id>/inspect/", case_views.inspect, name="case_inspect"),
    path(
        "cases/<int:case_id>/send-replacement/",
        case_views.send_replacement,
        name="case_send_replacement",
    ),
    path(
        "cases/<int:case_id>/replacement-shipped/",
        case_views.replacement_shipped,
        name="case_replacement_shipped",
    ),
    path("portal/", views.portal_home, name="portal_home"),
    path("portal/<slug:merchant_slug>/", portal_views.lookup, name="portal_lookup"),
    path("portal/<slug:merchant_slug>/order/", portal_views.order_page, name="portal_order"),
    path(
        "portal/<slug:merchant_slug>/order/live/",
        portal_views.live_state,
        name="portal_live_state",
    ),
    path(
        "portal/<slug:merchant_slug>/order/request/",
        portal_views.start_case,
        name="portal_start_case",
    ),
    path(
        "portal/<slug:merchant_slug>/cases/<int:case_id>/",
        portal_views.case_page,
        name="portal_case",
    ),
    path(
        "portal/<slug:merchant_slug>/cases/<int:case_id>/ship/",
        portal_views.ship,
        name="portal_ship",
    ),
    path(
        "portal/<slug:merchant_slug>/cases/<int:case_id>/cancel/",
        portal_views.cancel,
        name="portal_cancel",
    ),
    path(
        "portal/<slug:merchant_slug>/cases/<int:case_id>/appeal/",
        portal_views.appeal,
        name="portal_appeal",
    ),
]
