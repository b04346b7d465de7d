from django.urls import path

from vipdesk.alerts import views

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("notifications/<int:alert_id>/read/", views.notification_read, name="notification-read"),
    path(
        "notifications/<int:alert_id>/acknowledge/",
        views.notification_acknowledge,
        name="notification-acknowledge",
    ),
]
