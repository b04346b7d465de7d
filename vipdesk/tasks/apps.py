from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "vipdesk.tasks"
    label = "tasks"
    verbose_name = "tasks"
