"""The machine API (/api/v1/): helpdesk webhook, tickets and accounts, bearer auth."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="vipdesk API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
