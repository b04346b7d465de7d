"""vipdesk settings, read from the environment.

Embedded default (no environment): SQLite file, jobs run inline, DEBUG on.
Production: set VIPDESK_MODE=production plus SECRET_KEY, ALLOWED_HOSTS,
DATABASE_URL and REDIS_URL (see README, "Configuration").
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


PRODUCTION = env("VIPDESK_MODE") == "production"

DEBUG = envbool("DEBUG", not PRODUCTION)
SECRET_KEY = env("SECRET_KEY") or (
    "" if PRODUCTION else "insecure-development-key-only-for-the-embedded-demo-0123456789"
)
if PRODUCTION and not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when VIPDESK_MODE=production")
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
# The reverse proxies in front of vipdesk (README: TLS proxy): how many there are, or
# their addresses, comma-separated. X-Forwarded-For is believed only that far; empty:
# ignored. Feeds django-axes (lockouts per username and client address) and the logs.
_proxies = env("TRUSTED_PROXIES").strip()
TRUSTED_PROXIES: int | list[str] = (
    int(_proxies) if _proxies.isdigit() else [p.strip() for p in _proxies.split(",") if p.strip()]
)
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # "ninja" serves the API docs' assets locally instead of from a CDN.
    "ninja",
    "django_rq",
    "django_htmx",
    "django_prometheus",
    "axes",
    "vipdesk.alerts",
    "vipdesk.tasks",
    "accounts",
    "tickets",
    "escalations",
    "vipdesk.insight",
    "vipdesk.demo",
    "vipdesk.sso",
    # Last: its post_migrate creates the role groups once every app's permissions exist.
    "vipdesk",
]

MIDDLEWARE = [
    "vipdesk.lib.middleware.TrustedProxyMiddleware",
    # First and (but for axes) last: request latency and responses per view.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "vipdesk.lib.middleware.ApiJsonErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's SessionMiddleware; background refreshes do not renew the session.
    "vipdesk.lib.middleware.IdleSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "vipdesk.lib.middleware.LoginRequiredExceptApiMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # django-axes must come last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "vipdesk.urls"
WSGI_APPLICATION = "vipdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "vipdesk.lib.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # JIT compiling costs 10–70 ms on the pages' aggregate queries at 2M tickets and
    # never pays back on queries this short (STACK.md); jobs run the same queries.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background jobs. Without REDIS_URL, jobs run inline after the transaction
# commits (see vipdesk/lib/jobs.py); with it, on real RQ queues.
REDIS_URL = env("REDIS_URL")
# Short socket timeouts: a hung Redis never blocks a web request (intake stores the
# ticket and answers; the routing sweep picks it up). RQ workers raise their own
# timeout for blocking dequeues.
REDIS_TIMEOUT_SECONDS = envint("REDIS_TIMEOUT_SECONDS", 2)


def rq_queues(url: str) -> dict:
    timeouts = f"socket_timeout={REDIS_TIMEOUT_SECONDS}"
    timeouts += f"&socket_connect_timeout={REDIS_TIMEOUT_SECONDS}"
    url = f"{url}{'&' if '?' in url else '?'}{timeouts}"
    return {name: {"URL": url, "DEFAULT_TIMEOUT": 600} for name in ("high", "default", "low")}


RQ_QUEUES = rq_queues(REDIS_URL or "redis://127.0.0.1:6379/0")
RQ_SHOW_ADMIN_LINK = True
# Intake drainers that may run at once while a backlog lasts (tickets/routing/jobs.py);
# each needs a free RQ worker.
INTAKE_DRAINERS = envint("INTAKE_DRAINERS", 2)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Single sign-on with OpenID Connect (vipdesk/sso, README "Single sign-on"): on when
# OIDC_ISSUER and OIDC_RP_CLIENT_ID are set; the endpoints come from discovery.
OIDC_ISSUER = env("OIDC_ISSUER").rstrip("/")
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET")
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", "openid email profile groups")
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_GROUPS_CLAIM = env("OIDC_GROUPS_CLAIM", "groups")
OIDC_PROVIDER_NAME = env("OIDC_PROVIDER_NAME", "single sign-on")
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # the hint for the provider's logout
OIDC_TIMEOUT = envint("OIDC_TIMEOUT", 10)
LOGIN_REDIRECT_URL_FAILURE = "/oidc/refused/"
SSO_ENABLED = bool(OIDC_ISSUER and OIDC_RP_CLIENT_ID)
# Off: only single sign-on on the login page (ignored while SSO is not configured).
PASSWORD_LOGIN = envbool("PASSWORD_LOGIN", True)
if SSO_ENABLED:
    AUTHENTICATION_BACKENDS.append("vipdesk.sso.backend.SsoBackend")

# Login throttling: lock a username+IP pair for a while, never for good.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_WHITELIST_CALLABLE = "vipdesk.sso.backend.is_sso_attempt"
AXES_HTTP_RESPONSE_CODE = 429

# Sessions end on the server at logout and after SESSION_IDLE_MINUTES idle.
SESSION_COOKIE_AGE = envint("SESSION_IDLE_MINUTES", 60) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    # Plotly positions chart elements with inline styles.
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
if SSO_ENABLED:
    # Logging out redirects the form to the provider's logout page.
    SECURE_CSP["form-action"].append(origin(OIDC_ISSUER))
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# E-mail: SMTP in production or when EMAIL_HOST is set; the console in the demo.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "vipdesk@localhost")
if PRODUCTION or env("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env("EMAIL_HOST", "localhost"),
                "port": envint("EMAIL_PORT", 587),
                "username": env("EMAIL_HOST_USER"),
                "password": env("EMAIL_HOST_PASSWORD"),
                "use_tls": envbool("EMAIL_USE_TLS", True),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Largest CSV the admin upload page accepts (the import_* commands have no limit).
IMPORT_MAX_UPLOAD_MB = envint("IMPORT_MAX_UPLOAD_MB", 10)

# Shared secret for the helpdesk webhook (Zendesk signs with it).
ZENDESK_WEBHOOK_SECRET = env("ZENDESK_WEBHOOK_SECRET", "" if PRODUCTION else "dev-webhook-secret")
# Optional Slack-compatible incoming webhook for alerts.
SLACK_WEBHOOK_URL = env("SLACK_WEBHOOK_URL")
# Absolute base URL used in e-mailed links.
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# vipdesk/lib/jobs.py defers enqueues to transaction commit itself. The workers
# record each job's outcome for /metrics.
RQ = {"COMMIT_MODE": "auto", "WORKER_CLASS": "vipdesk.worker.Worker"}

# Prometheus metrics at /metrics (README "Metrics"): answered to a request bearing
# "Authorization: Bearer <METRICS_TOKEN>" or coming from METRICS_ALLOWED_NETWORKS
# (comma-separated, e.g. 10.0.0.0/8); refused to everyone when neither is set.
METRICS_TOKEN = env("METRICS_TOKEN")
METRICS_ALLOWED_NETWORKS = [
    ipaddress.ip_network(n.strip()) for n in env("METRICS_ALLOWED_NETWORKS").split(",") if n.strip()
]
