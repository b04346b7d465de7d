from django.urls import path

from vipdesk.insight import views

app_name = "insight"

urlpatterns = [
    path("accounts/at-risk/", views.at_risk, name="at_risk"),
    path("accounts/<int:account_id>/", views.account_detail, name="detail"),
    path("accounts/<int:account_id>/notes/", views.add_note, name="add_note"),
    path("accounts/<int:account_id>/flag/", views.mark_flag, name="mark_flag"),
    path("accounts/<int:account_id>/intervention/", views.set_intervention, name="intervention"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("my/", views.my_work_page, name="my_work"),
]
