"""Settings shared by every environment.

Everything that differs between machines is read from the environment with
django-environ. `var/services.env`, written by `make run` (see
`shared_platform/stack.py`), supplies DATABASE_URL and REDIS_URL for the
embedded servers when the environment does not set them.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# Values already in the environment win over the file (read_env never overwrites).
environ.Env.read_env(VAR_DIR / "services.env")

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-development-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)

# An agency lives at <code>.<BASE_DOMAIN>, the facility portal at BASE_DOMAIN.
BASE_DOMAIN = env("BASE_DOMAIN", default="localhost")
# Never "*": a Host header outside these is refused before any tenant is chosen.
ALLOWED_HOSTS = [BASE_DOMAIN, f".{BASE_DOMAIN}", *env.list("EXTRA_ALLOWED_HOSTS", default=[])]
# Port shown in the addresses the platform prints and links to (":8000" in development).
PUBLIC_PORT = env("PUBLIC_PORT", default="")
PUBLIC_SCHEME = env("PUBLIC_SCHEME", default="http")
# How many proxies of our own stand in front of the web server. Each appends the
# address it saw to X-Forwarded-For, so the client is the N-th entry from the
# right; with 0 (the default) the header is ignored and the socket's address is
# the client. One setting for the sign-in lockout and the API throttles
# (shared_platform/client_address.py): a client-written header escapes neither.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Tenancy -----------------------------------------------------------------
# The public schema is the facility; every agency gets a schema of its own.
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "shared_platform",
    "service_levels",
    "ledger",
    "billing",
    "governance",
    "vendors",
    "allowances",
    "quality",
    "sourcing",
    "accountability",
    "notifications",
    "demo",
]
# Private to an agency: request details, conversations, attachments, bids.
TENANT_APPS = [
    "django.contrib.contenttypes",
    "procurement",
    "travel",
    "ict_helpdesk",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Agency"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
# A new agency is a copy of this kept-migrated schema, its migrations faked,
# instead of a replay of every migration (tenants/provisioning.py).
TENANT_BASE_SCHEMA = "agency_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
# TENANT_LIMIT_SET_CALLS stays off: with it on, django-tenants can serve another
# tenant's rows after a savepoint rollback (django-tenants issue #1262).

DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@localhost:5432/platform")}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

MIDDLEWARE = [
    "shared_platform.tenancy.AgencyAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.language.PersonLanguageMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.AddressAccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shared_platform.urls_agency"
PUBLIC_SCHEMA_URLCONF = "shared_platform.urls_facility"
WSGI_APPLICATION = "shared_platform.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "shared_platform" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shared_platform.context_processors.platform",
            ],
        },
    },
]

# --- People ------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses sign-ins after repeated failures.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Failed sign-ins: after AXES_FAILURE_LIMIT failures for one e-mail from one
# address, that pair is refused for AXES_COOLOFF_TIME on every way in: the
# sign-in page, the API token endpoint and the Django admin count together.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "email"
# The page and the API post `email`, the admin's form `username`: one account either way.
AXES_USERNAME_CALLABLE = "accounts.lockout.sign_in_account"
# The client as TRUSTED_PROXY_COUNT says, never as a client-written header says.
AXES_CLIENT_IP_CALLABLE = "shared_platform.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout_response"
AXES_VERBOSE = False

# Content-Security-Policy (django-csp): scripts, styles, fonts and images from
# our own address only (Chart.js, the admin's and Swagger UI's files are
# served from /static/). No inline script anywhere; the one inline <style>
# (Swagger UI's page, shared_platform/templates/drf_spectacular/) carries the
# request's nonce. data: images are Swagger UI's and the admin's icons. Pages
# may not be framed, and forms post to their own address only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 10  # a working day
CSRF_COOKIE_HTTPONLY = False

# --- Cache, files, static ----------------------------------------------------
REDIS_URL = env("REDIS_URL", default="redis://localhost:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Keys carry the schema name, so one agency never reads another's entry.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "TIMEOUT": 300,
    }
}

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "shared_platform" / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Sealed bids (procurement/sealing.py): Fernet keys from the environment, never from the database;
# without one, a key file made once beside the embedded servers (a development machine).
BID_SEALING_KEY = env("BID_SEALING_KEY", default="")
BID_SEALING_KEY_FILE = env("BID_SEALING_KEY_FILE", default=str(VAR_DIR / "bid-sealing.key"))
MEDIA_URL = "/media/"
# Uploaded files land under MEDIA_ROOT/<schema>/: dropping an agency removes a folder.
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760
# A requisition may have 200 lines of five fields each, sent as one form (Django's default allows 1,000 fields).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1_500
# The largest file a person may upload to any module (shared_platform.attachments); a module may set its own.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)

# --- Locale ------------------------------------------------------------------
LANGUAGE_CODE = "en"
# Each person chooses (saved on their account, else the browser's Accept-Language); each agency chooses
# the language of its invoices, reports and minutes. Catalogues: <app>/locale/<language>/LC_MESSAGES/django.po,
# compiled by `manage.py compile_translations` (part of `make run` and `make test`).
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("es", "Español"),
    ("pt-br", "Português (Brasil)"),
]
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = env("TIME_ZONE", default="America/Sao_Paulo")
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- API ---------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.MayUseThisAddress"],
    "DEFAULT_PAGINATION_CLASS": "shared_platform.api.StandardPagination",
    # JSON refusing deep nesting (a 400, never a RecursionError), then DRF's form parsers.
    "DEFAULT_PARSER_CLASSES": [
        "shared_platform.api.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 25,
    # drf-spectacular's, plus the error responses each operation can give (shared_platform/schema.py).
    "DEFAULT_SCHEMA_CLASS": "shared_platform.schema.AddressAutoSchema",
    "EXCEPTION_HANDLER": "shared_platform.errors.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"sign_in": "20/minute"},
    # The same rule as shared_platform.client_address (TRUSTED_PROXY_COUNT), for every DRF throttle.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Joint Operations Facility API",
    "DESCRIPTION": (
        "Shared procurement, travel and ICT services for several agencies. "
        "Call an agency's address (undp.localhost:8000) for its own data and the "
        "facility portal (localhost:8000) for work across agencies. Authenticate "
        "with `Authorization: Token <key>` from POST /api/auth/token/."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs describe the API, not anyone's data: readable without signing in.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge fetched from the public validator (the CSP allows our own address only).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    # An agency's address documents only what can be done there (shared_platform/schema.py).
    "DEFAULT_GENERATOR_CLASS": "shared_platform.schema.AddressSchemaGenerator",
    # One name per choice set used under several field names (else names like "StatusE5bEnum").
    "ENUM_NAME_OVERRIDES": {
        "CurrencyEnum": "billing.models.Currency",
        "InvoiceStatusEnum": "billing.models.InvoiceStatus",
        "SharingMethodEnum": "billing.models.SharingMethod",
        "RequestStatusEnum": "ledger.models.EntryStatus",
        "ClockHolderEnum": "ledger.models.Holder",
        "TicketKindEnum": "ict_helpdesk.models.TicketKind",
        "VendorStatusEnum": "vendors.models.VendorStatus",
        "PurchaseMethodEnum": "procurement.models.Method",
        "RequisitionStatusEnum": "procurement.models.RequisitionStatus",
        "CaseEventKindEnum": "procurement.models.CaseEventKind",
        "DeviationKindEnum": "procurement.models.DeviationKind",
        "DeviationStatusEnum": "procurement.models.DeviationStatus",
        "SolicitationStatusEnum": "procurement.models.SolicitationStatus",
        "EnvelopeEnum": "procurement.models.Envelope",
        "CommitteeDecisionEnum": "procurement.models.CommitteeDecision",
        "PurchaseOrderStatusEnum": "procurement.models.OrderStatus",
        "TripStatusEnum": "travel.models.TripStatus",
    },
}

# --- Celery ------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Lets /healthz tell whether beat is alive; runs in the public schema.
    "beat-heartbeat": {
        "task": "shared_platform.tasks.beat_heartbeat",
        "schedule": 30.0,
        "tenant_schemas": ["public"],
    },
    # SLA warnings and breaches: the ledger lives in the public schema, so one run covers every agency.
    "sla-clocks-check": {
        "task": "ledger.tasks.clocks_check",
        "schedule": 60.0,
        "tenant_schemas": ["public"],
    },
    # Closes resolved ICT tickets whose reopening period has passed (the ledger is public: one query).
    "helpdesk-close-resolved": {
        "task": "ict_helpdesk.tasks.tickets_close_resolved",
        "schedule": 15 * 60.0,
        "tenant_schemas": ["public"],
    },
    # Closes board motions whose closing time has passed (governance/tasks.py); the board lives in public.
    "governance-close-due-motions": {
        "task": "governance.tasks.motions_close_due_task",
        "schedule": 60.0,
        "tenant_schemas": ["public"],
    },
    # The quality system (quality/tasks.py; it lives in public): facility-held breaches and low ratings into the
    # month's nonconformities, then the effectiveness checks that measure themselves from the ledger.
    "quality-watch": {
        "task": "quality.tasks.quality_watch_task",
        "schedule": 15 * 60.0,
        "tenant_schemas": ["public"],
    },
    # Approved document versions whose date came into effect; the weekly reminders to owners of what is due.
    "quality-daily": {
        "task": "quality.tasks.quality_daily_task",
        "schedule": 24 * 60 * 60.0,
        "tenant_schemas": ["public"],
    },
    # Accountability (accountability/tasks.py, public schema): the scorecards refreshed from the ledger, billing,
    # quality and the modules (the current and previous month; the whole year once a day), then the monthly
    # service reports, written and e-mailed on the facility's first working day of the month.
    "accountability-scorecards": {
        "task": "accountability.tasks.scorecards_refresh_task",
        "schedule": 15 * 60.0,
        "tenant_schemas": ["public"],
    },
    "accountability-daily": {
        "task": "accountability.tasks.accountability_daily_task",
        "schedule": 24 * 60 * 60.0,
        "tenant_schemas": ["public"],
    },
    # Removes the personal data of trips closed longer than the retention period: trips live in each
    # agency's schema, so it runs in every one (travel/tasks.py).
    "travel-personal-data-remove": {
        "task": "travel.tasks.personal_data_remove_task",
        "schedule": 24 * 60 * 60.0,
    },
}

# --- ICT helpdesk ------------------------------------------------------------
# How long after resolution a requester may reopen a ticket; after that it closes by itself.
HELPDESK_REOPEN_DAYS = env.int("HELPDESK_REOPEN_DAYS", default=7)
# Travel: the personal data of a closed trip (passport, birth date, contacts) is kept this long, then
# removed by `manage.py travel_personal_data_remove` (run daily by beat).
TRAVEL_PERSONAL_DATA_RETENTION_DAYS = env.int("TRAVEL_PERSONAL_DATA_RETENTION_DAYS", default=365)
# Attachments: at most this size each (the platform's limit unless set), of the kinds in
# shared_platform.attachments (by extension, checked against the file's content).
HELPDESK_ATTACHMENT_MAX_BYTES = env.int("HELPDESK_ATTACHMENT_MAX_BYTES", default=ATTACHMENT_MAX_BYTES)
HELPDESK_ATTACHMENTS_PER_MESSAGE = 5
# How long the survey link in the resolution e-mail stays valid.
HELPDESK_SURVEY_DAYS = env.int("HELPDESK_SURVEY_DAYS", default=30)

# --- Mail --------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Joint Operations Facility <no-reply@jof.localhost>")

FACILITY_NAME = env("FACILITY_NAME", default="Joint Operations Facility, Brasília")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint reports each rendering step at INFO ("Step 2 - Fetching and parsing CSS").
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint.progress": {"level": "WARNING"}},
}
