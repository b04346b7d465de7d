from django.contrib import admin
from django.urls import include, path

from tickets.intake.views import import_csv_view
from vipdesk import views
from vipdesk.api import api
from vipdesk.insight import backtest_views
from vipdesk.metrics.views import metrics
from vipdesk.sso import views as sso_views

admin.site.site_header = "vipdesk administration"
admin.site.site_title = "vipdesk admin"
admin.site.index_title = "Policies and data"

urlpatterns = [
    path("login/", sso_views.login, name="login"),
    path("logout/", sso_views.logout, name="logout"),
    path("oidc/", include("vipdesk.sso.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("favicon.ico", views.favicon),
    path("admin/rq/", include("django_rq.urls")),
    path("admin/import/", import_csv_view, name="admin_import"),
    path("admin/backtest/", backtest_views.backtest, name="admin_backtest"),
    path("admin/backtest/run/", backtest_views.backtest_run, name="admin_backtest_run"),
    path("admin/backtest/suggest/", backtest_views.backtest_suggest, name="admin_backtest_suggest"),
    path(
        "admin/backtest/<int:run_id>/save/",
        backtest_views.backtest_save,
        name="admin_backtest_save",
    ),
    path("admin/backtest/<int:run_id>.csv", backtest_views.backtest_csv, name="admin_backtest_csv"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", views.home, name="home"),
    path("", include("vipdesk.insight.urls")),
    path("", include("tickets.urls")),
    path("", include("escalations.urls")),
    path("", include("vipdesk.alerts.urls")),
    path("", include("vipdesk.insight.report_urls")),
    path("", include("vipdesk.tasks.urls")),
]
