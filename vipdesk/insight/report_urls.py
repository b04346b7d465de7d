from django.urls import path, re_path

from vipdesk.insight import report_views as views

MONTH = r"reports/vip/(?P<year>[0-9]{4})-(?P<month>[0-9]{2})/"

urlpatterns = [
    path("reports/", views.reports_index, name="reports"),
    path("reports/vip/", views.vip_monthly_latest, name="vip_monthly_latest"),
    re_path(rf"^{MONTH}$", views.vip_monthly, name="vip_monthly"),
    re_path(rf"^{MONTH}(?P<table>[a-z-]+)\.csv$", views.vip_monthly_csv, name="vip_monthly_csv"),
    path(
        "accounts/<int:account_id>/interactions/",
        views.account_interactions,
        name="account_interactions",
    ),
    path(
        "accounts/<int:account_id>/interactions/<slug:table>.csv",
        views.account_interactions_csv,
        name="account_interactions_csv",
    ),
]
