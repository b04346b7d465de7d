"""The tests' client sends requests where vipdesk/wsgi.py sends them: the signed
webhook to the lean handler (vipdesk/machine_endpoints.py), the rest through every
middleware."""

from django.test import Client
from django.test.client import ClientHandler

from vipdesk.machine_endpoints import Dispatch, LeanMiddleware


class LeanClientHandler(LeanMiddleware, ClientHandler):
    pass


class DispatchingClient(Client):
    def __init__(self, *args, enforce_csrf_checks=False, **kwargs):
        super().__init__(*args, enforce_csrf_checks=enforce_csrf_checks, **kwargs)
        self.handler = Dispatch(self.handler, LeanClientHandler(enforce_csrf_checks))
