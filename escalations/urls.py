from django.urls import include, path
from django.views.generic import RedirectView

from escalations import report_views, views

E = "escalations/<int:pk>/"

urlpatterns = [
    path("", include("escalations.postmortems.urls")),
    path("", include("escalations.drafts.urls")),
    path("escalations/", views.escalation_list, name="escalation_list"),
    path("escalations/new/", views.escalation_new, name="escalation_new"),
    path("escalations/open/", views.escalation_open, name="escalation_open"),
    path(E, views.escalation_detail, name="escalation_detail"),
    path(E + "print/", views.escalation_print, name="escalation_print"),
    path(E + "forms/<slug:name>/", views.escalation_form, name="escalation_form"),
    path(E + "transition/", views.escalation_transition, name="escalation_transition"),
    path(E + "reassign/", views.escalation_reassign, name="escalation_reassign"),
    path(E + "level-up/", views.escalation_level_up, name="escalation_level_up"),
    path(E + "actions/", views.action_add, name="escalation_action_add"),
    path(E + "actions/<int:action_id>/done/", views.action_done, name="escalation_action_done"),
    path(E + "plan/", views.plan_add, name="escalation_plan_add"),
    path(E + "communications/", views.communication_add, name="escalation_communication_add"),
    path(E + "stakeholders/", views.stakeholder_add, name="escalation_stakeholder"),
    path(E + "risks/", views.risk_set, name="escalation_risk"),
    path(E + "analysis/", views.analysis_update, name="escalation_analysis"),
    path(E + "goodwill/", views.goodwill_request, name="escalation_goodwill_request"),
    path(
        E + "goodwill/<int:goodwill_id>/decide/",
        views.goodwill_decide,
        name="escalation_goodwill_decide",
    ),  # fmt: skip
    path(
        E + "goodwill/<int:goodwill_id>/offer/",
        views.goodwill_offer,
        name="escalation_goodwill_offer",
    ),  # fmt: skip
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
    # The systemic view moved to the systemic-issues page; shared links keep working.
    path(
        "reports/escalations/systemic/",
        RedirectView.as_view(pattern_name="systemic_issues", permanent=True),
    ),
    path(
        "reports/escalations/systemic/<slug:table>.csv",
        RedirectView.as_view(pattern_name="systemic_issues_csv", permanent=True),
    ),
    path(
        "reports/escalations/<slug:table>.csv",
        report_views.escalation_report_csv,
        name="escalation_report_csv",
    ),
]
