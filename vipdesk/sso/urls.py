from django.urls import path

from vipdesk.sso import views

urlpatterns = [
    path("authenticate/", views.authenticate, name="oidc_authentication_init"),
    path("callback/", views.callback, name="oidc_authentication_callback"),
    path("refused/", views.refused, name="sso_refused"),
]
