from django.urls import path

from escalations.drafts import views

D = "escalations/<int:pk>/drafts/"

urlpatterns = [
    path(D, views.draft_list, name="draft_list"),
    path(D + "new/", views.draft_new, name="draft_new"),
    path(D + "<int:draft_id>/", views.draft_detail, name="draft_detail"),
    path(D + "<int:draft_id>/edit/", views.draft_edit, name="draft_edit"),
    path(D + "<int:draft_id>/sent/", views.draft_sent, name="draft_sent"),
    path(D + "<int:draft_id>/print/", views.draft_print, name="draft_print"),
]
