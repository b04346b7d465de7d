from django.urls import path

from escalations.postmortems import views

PM = "escalations/<int:pk>/post-mortem/"

urlpatterns = [
    path("escalations/overdue/", views.overdue, name="escalation_overdue"),
    path("escalations/systemic/", views.systemic_issues, name="systemic_issues"),
    path(
        "escalations/systemic/<slug:table>.csv",
        views.systemic_issues_csv,
        name="systemic_issues_csv",
    ),
    path(PM, views.post_mortem, name="post_mortem"),
    path(PM + "save/", views.post_mortem_save, name="post_mortem_save"),
    path(PM + "print/", views.post_mortem_print, name="post_mortem_print"),
    path(PM + "follow-ups/", views.follow_up_add, name="follow_up_add"),
    path(
        PM + "follow-ups/<int:follow_up_id>/close/",
        views.follow_up_close,
        name="follow_up_close",
    ),
    path(
        "escalations/<int:pk>/same-problem/<int:other_id>/",
        views.same_problem,
        name="same_problem",
    ),
]
