import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from vipdesk.machine_endpoints import Dispatch, MachineHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vipdesk.settings")
django_application = get_wsgi_application()

# The signed webhook skips the middleware meant for people (vipdesk/machine_endpoints.py).
application = Dispatch(django_application, MachineHandler())

# What start-up loaded (Django, every view through the URLconf, plotly's validators:
# some 200k objects) is moved out of the garbage collector's sight. A full collection
# then walks only what requests create; before, one came every dozen requests of a
# heavy page and stalled it for ~130 ms (the pools page's p95 at 2M tickets).
get_resolver().url_patterns  # noqa: B018  (imports the views now, before freezing)
gc.collect()
gc.freeze()
