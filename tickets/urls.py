from django.urls import path

from tickets import views

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("queue/unmatched/", views.unmatched, name="unmatched"),
    path("queue/unmatched/<int:ticket_id>/attach/", views.attach_account, name="attach-account"),
    path("tickets/<int:ticket_id>/", views.ticket, name="ticket"),
    path("tickets/<int:ticket_id>/assign/", views.assign, name="ticket-assign"),
    path(
        "tickets/<int:ticket_id>/first-response/",
        views.first_response,
        name="ticket-first-response",
    ),
    path("pools/", views.pool_list, name="pools"),
    path("pools/<int:pool_id>/members/", views.pool_add_member, name="pool-add-member"),
    path(
        "pools/<int:pool_id>/members/<int:agent_id>/remove/",
        views.pool_remove_member,
        name="pool-remove-member",
    ),
    path("pools/pto/", views.pto_add, name="pto-add"),
    path("pools/pto/<int:pto_id>/", views.pto_edit, name="pto-edit"),
    path("pools/pto/<int:pto_id>/delete/", views.pto_delete, name="pto-delete"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("notifications/<int:alert_id>/read/", views.notification_read, name="notification-read"),
    path(
        "notifications/<int:alert_id>/acknowledge/",
        views.notification_acknowledge,
        name="notification-acknowledge",
    ),
]
