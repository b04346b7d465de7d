import json

from django.contrib.auth import views as auth_views
from django.contrib.auth.models import Group, User
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from oauth2_provider.models import Application


@csrf_exempt
@require_POST
def setup(request):
    """Test control: create or update clients and users (with their groups)."""
    data = json.loads(request.body)
    for c in data.get("clients", []):
        Application.objects.filter(client_id=c["client_id"]).delete()
        Application.objects.create(
            name=c["client_id"],
            client_id=c["client_id"],
            client_secret=c["client_secret"],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(c["redirect_uris"]),
            post_logout_redirect_uris=" ".join(c.get("post_logout_redirect_uris", [])),
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=True,
        )
    for u in data.get("users", []):
        user, _ = User.objects.get_or_create(username=u["username"])
        user.set_password(u["password"])
        user.email = u.get("email", f"{u['username']}@idp.test")
        user.first_name = u.get("given_name", u["username"].capitalize())
        user.save()
        user.groups.set([Group.objects.get_or_create(name=g)[0] for g in u.get("groups", [])])
    return JsonResponse({"ok": True})


urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("test/setup", setup),
]
