from django.urls import path

from vipdesk.tasks import views

urlpatterns = [
    path("tasks/<int:task_id>/done/", views.task_done, name="task-done"),
    path("tasks/<int:task_id>/skip/", views.task_skip, name="task-skip"),
]
