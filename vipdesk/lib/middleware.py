from django.contrib.auth.middleware import LoginRequiredMiddleware


class LoginRequiredExceptApiMiddleware(LoginRequiredMiddleware):
    """Every page needs a login; the machine API authenticates itself (bearer
    tokens, webhook signatures) and must answer 401 rather than redirect."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith("/api/") or request.path == "/healthz":
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
