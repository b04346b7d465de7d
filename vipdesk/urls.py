from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tickets.intake.views import import_csv_view
from vipdesk import views
from vipdesk.api import api

admin.site.site_header = "vipdesk administration"
admin.site.site_title = "vipdesk admin"
admin.site.index_title = "Policies and data"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("admin/rq/", include("django_rq.urls")),
    path("admin/import/", import_csv_view, name="admin_import"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", views.home, name="home"),
    path("", include("vipdesk.insight.urls")),
    path("", include("tickets.urls")),
    path("", include("escalations.urls")),
    path("", include("vipdesk.alerts.urls")),
    path("", include("vipdesk.insight.report_urls")),
]
