from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import JsonResponse


class LoginRequiredExceptApiMiddleware(LoginRequiredMiddleware):
    """Every page needs a login; the machine API authenticates itself (bearer
    tokens, webhook signatures) and must answer 401 rather than redirect."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith("/api/") or request.path == "/healthz":
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class ApiJsonErrorsMiddleware:
    """Under /api/ every error answers JSON {"error": …}, including the ones no API view
    produced: Django's 404 for an unknown path, django-ninja's 405 for a wrong method,
    Django's 400 for a request it refuses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and response.get("Content-Type", "").split(";")[0] != "application/json"
        ):
            error = JsonResponse(
                {"error": f"{response.reason_phrase}."}, status=response.status_code
            )
            if response.has_header("Allow"):
                error["Allow"] = response["Allow"]
            return error
        return response
