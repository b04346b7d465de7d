from django.urls import path

from escalations import report_views, views

urlpatterns = [
    path("escalations/", views.escalation_list, name="escalation_list"),
    path("escalations/<int:pk>/", views.escalation_detail, name="escalation_detail"),
    path(
        "escalations/<int:pk>/acknowledge/",
        views.escalation_acknowledge,
        name="escalation_acknowledge",
    ),
    path("reports/escalations/", report_views.escalation_report, name="escalation_report"),
    path(
        "reports/escalations/escalations/",
        report_views.escalation_report_rows,
        name="escalation_report_rows",
    ),
    path(
        "reports/escalations/rows.csv",
        report_views.escalation_report_rows_csv,
        name="escalation_report_rows_csv",
    ),
    path(
        "reports/escalations/systemic/",
        report_views.escalation_systemic,
        name="escalation_systemic",
    ),
    path(
        "reports/escalations/systemic/<slug:table>.csv",
        report_views.escalation_systemic_csv,
        name="escalation_systemic_csv",
    ),
    path(
        "reports/escalations/<slug:table>.csv",
        report_views.escalation_report_csv,
        name="escalation_report_csv",
    ),
]
