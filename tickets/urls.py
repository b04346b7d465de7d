from django.urls import path

from tickets import views
from tickets.staffing import views as staffing

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
    path("tickets/<int:ticket_id>/resolve/", views.resolve, name="ticket-resolve"),
    path("tickets/<int:ticket_id>/report-abuse/", views.report_abuse, name="ticket-report-abuse"),
    path("pools/", staffing.pool_list, name="pools"),
    path("pools/<int:pool_id>/members/", staffing.pool_add_member, name="pool-add-member"),
    path(
        "pools/<int:pool_id>/members/<int:agent_id>/remove/",
        staffing.pool_remove_member,
        name="pool-remove-member",
    ),
    path("pools/pto/", staffing.pto_add, name="pto-add"),
    path("pools/pto/<int:pto_id>/", staffing.pto_edit, name="pto-edit"),
    path("pools/pto/<int:pto_id>/delete/", staffing.pto_delete, name="pto-delete"),
]
