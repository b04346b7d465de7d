from django.urls import include, path

from escalations import views

urlpatterns = [
    path("", include("escalations.postmortems.urls")),
    path("escalations/", views.escalation_list, name="escalation_list"),
    path("escalations/<int:pk>/", views.escalation_detail, name="escalation_detail"),
    path(
        "escalations/<int:pk>/acknowledge/",
        views.escalation_acknowledge,
        name="escalation_acknowledge",
    ),
]
