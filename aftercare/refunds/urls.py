"""Console pages of refunds, included by aftercare/urls.py at /refunds/."""

from django.urls import URLPattern, URLResolver, path

from aftercare.refunds import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="refunds_index"),
    path("grants/<int:grant_id>/", views.grant_detail, name="refunds_grant"),
    path("grants/<int:grant_id>/approve", views.approve, name="refunds_approve"),
    path("grants/<int:grant_id>/cancel", views.cancel, name="refunds_cancel"),
    path("grants/<int:grant_id>/execute", views.execute, name="refunds_execute"),
    path("grants/<int:grant_id>/retry", views.retry, name="refunds_retry"),
    path("grants/<int:grant_id>/mark-paid", views.mark_paid, name="refunds_mark_paid"),
    path("cases/<int:case_id>/panel", views.case_panel, name="refunds_case_panel"),
    path("cases/<int:case_id>/grant", views.case_grant, name="refunds_case_grant"),
    path("callback/<int:merchant_id>", views.callback, name="refunds_callback"),
]
