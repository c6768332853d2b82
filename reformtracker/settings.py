"""The one settings module. Everything that differs between machines comes from the environment.

DJANGO_ENV selects the defaults: ``development`` (make run), ``test`` (make test) or ``production``
(the default, so a forgotten variable fails closed: DEBUG off and SECRET_KEY required).

Every value a deployment may tune is read here, through the typed helpers of
``reformtracker.env``, and nowhere else: the code reads ``settings.X``. The comment above each one
ends with the variable that sets it, its unit and its default ("Env X; seconds; default 300.");
the README's settings table lists them all (tests/project/test_settings_documented.py checks
both).
"""

import os
import re
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from reformtracker.env import (
    cache_is_shared,
    cache_settings,
    database_settings,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_str,
    private_storages,
)

BASE_DIR = Path(__file__).resolve().parent.parent

# openpyxl parses with defusedxml (which refuses XML entity declarations in uploaded 照会票) only
# when it does not use lxml, and lxml is installed (pikepdf needs it). Set before openpyxl is
# first imported, which is after the settings.
os.environ["OPENPYXL_LXML"] = "False"

# Which defaults apply. Env DJANGO_ENV; development, test or production; default production.
DJANGO_ENV = env_str("DJANGO_ENV", "production")
if DJANGO_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be development, test or production, got {DJANGO_ENV!r}"
    )
PRODUCTION = DJANGO_ENV == "production"

# Django's debug pages. Env DJANGO_DEBUG; on/off; default off.
DEBUG = env_bool("DJANGO_DEBUG", False)

# Signs sessions and tokens; required in production, a fixed insecure key elsewhere.
# Env SECRET_KEY; text; no default in production.
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production.")
    SECRET_KEY = f"insecure-{DJANGO_ENV}-key-never-use-in-production-0123456789abcdef"

# Host names this site answers to. Env ALLOWED_HOSTS; comma-separated names; default none in
# production, the loopback names elsewhere.
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver", "[::1]"]
)
# Origins (scheme://host) trusted for form posts besides the site's own.
# Env CSRF_TRUSTED_ORIGINS; comma-separated origins; default none.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "django_tasks_db",
    "reformtracker.apps.ReformtrackerConfig",
    "initiatives",
    "evaluations",
    "xmeetings",
]

MIDDLEWARE = [
    # First, so every log line and every response (stored pages and errors included) has the id.
    "reformtracker.request_id.RequestIdMiddleware",
    # One line per request, timed around everything below (reformtracker.access_log).
    "reformtracker.access_log.AccessLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside the page cache, so a stored page gets the policy as a rendered one does.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "reformtracker.middleware.PrivatePagesNoStoreMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session, locale, CSRF, auth and messages: a stored public page is served
    # without them, and what it stores is the response they finished (evaluations.public_cache).
    "evaluations.public_cache.PublicPageCacheMiddleware",
    # After the page cache (a stored page reads no database), around the view: anonymous public
    # pages read from DATABASE_REPLICA_URL when it is set (reformtracker.db_routers).
    "evaluations.replica.ReplicaReadsMiddleware",
    # Django's, renewing a session's idle expiry at most once a minute (reformtracker.sessions).
    "reformtracker.sessions.IdleSessionMiddleware",
    # The address decides the language of public pages, a cookie that of signed-in areas.
    "reformtracker.locale.SiteLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF: a method the view does not take is 405, not a missing token's 403.
    "reformtracker.http_methods.AllowedMethodsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "reformtracker.middleware.PermissionDeniedLogMiddleware",
    # Last, as django-axes requires: it turns a lock-out raised during login into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "reformtracker.urls"
WSGI_APPLICATION = "reformtracker.wsgi.application"

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
                "django.template.context_processors.i18n",
                # site_name and site_operator (settings.SITE_NAME, SITE_OPERATOR) for base.html.
                "evaluations.identity.site_context",
            ],
            # extends: Django's {% extends %}, the root template's blocks found once per
            # compiled template rather than on every render (reformtracker/templatetags/extends.py).
            "builtins": ["reformtracker.templatetags.wareki", "reformtracker.templatetags.extends"],
        },
    }
]

# Django's form renderer with its commonest widget templates written in Python, byte for byte
# the same markup (reformtracker/form_renderer.py).
FORM_RENDERER = "reformtracker.form_renderer.FormRenderer"

# SQLite unless DATABASE_URL names another database (PostgreSQL through psycopg 3 in practice).
# Env DATABASE_URL; a database URL; default unset (SQLite). Env SQLITE_PATH; a file path; default
# db.sqlite3 in the project.
DATABASE_URL = env_str("DATABASE_URL")
# Each worker keeps its connection this long instead of opening one per request (0: one per
# request), whichever the database. Env CONN_MAX_AGE; seconds; default 60, 0 in tests.
# A kept connection is checked (a cheap round trip) before the first query of each request, and
# replaced if the database dropped it: without the check a worker idle through a database
# restart failed its first request. Env CONN_HEALTH_CHECKS; on/off; default on.
# A sqlite:// URL gets the same options as the SQLite file (reformtracker.env.database_settings).
# PostgreSQL only: psycopg's pool of up to this many connections in each process instead of the
# kept connection (CONN_MAX_AGE is then 0; the pool checks each connection it hands out);
# bench/bench_connections.py measures both: under gunicorn's sync workers (one request at a time
# per process) the pool served the same as the kept connection, within the noise (47.2 and 46.2
# requests/s; one per request 40.0), so the simpler kept connection stays the default and the pool
# is there for a threaded server. Env DATABASE_POOL; connections per process; default 0 (off).
DATABASES = {
    "default": database_settings(
        DATABASE_URL,
        env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
        conn_max_age=env_int("CONN_MAX_AGE", 0 if DJANGO_ENV == "test" else 60),
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
        pool=env_int("DATABASE_POOL", 0),
    )
}

# A streaming replica of the PostgreSQL database (pg_basebackup -R, hot_standby on): anonymous
# visitors' public pages and open-data JSON read from it, once it holds the publication the page
# is keyed on; every write, every staff and office request, every read in a transaction and the
# publication fingerprint use DATABASE_URL (reformtracker.db_routers). The same CONN_MAX_AGE,
# CONN_HEALTH_CHECKS and DATABASE_POOL apply to it.
# Env DATABASE_REPLICA_URL; a database URL; default unset (every read from DATABASE_URL).
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "") or ""
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **database_settings(
            DATABASE_REPLICA_URL,
            "",
            conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
            conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
            pool=env_int("DATABASE_POOL", 0),
        ),
        # Tests run against the primary's test database: the replica has no test database of
        # its own to create.
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["reformtracker.db_routers.PrimaryReplicaRouter"]
# A replica that failed to answer is not asked again for this long: public pages read the
# primary meanwhile. Env DATABASE_REPLICA_RETRY_SECONDS; seconds (a fraction allowed); default 5.
DATABASE_REPLICA_RETRY_SECONDS = env_float("DATABASE_REPLICA_RETRY_SECONDS", 5.0)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("日本語")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where collectstatic gathers the static files. Env STATIC_ROOT; a folder; default staticfiles.
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Outside production whitenoise serves straight from the app and project static dirs, so
# tests and `make run` need no collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
# Public uploaded files. Env MEDIA_ROOT; a folder; default media.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"

# The cache the public pages are stored in (evaluations.public_cache). Empty: each process keeps
# its own (make run, tests); with two app servers a page and a publication must be seen by all,
# so production names a shared one: memcached://127.0.0.1:11211 (what scripts/run-production.sh
# and deploy/ run), or redis://… or db://table (reformtracker.env.cache_settings).
# Env CACHE_URL; a URL; default empty (each process's own memory).
CACHE_URL = env_str("CACHE_URL", "") or ""
CACHES = {"default": cache_settings(CACHE_URL)}
# Whether every app server sees the same cache: then the publication fingerprint is kept in it
# too, so a publication shows on every server at once (evaluations.published).
PUBLIC_CACHE_SHARED = cache_is_shared(CACHES["default"])
# With a shared cache, each process also keeps up to this many pages it served in its own
# memory, in front of the shared one (keys carry the publication, so a kept page is never
# stale); 0 asks the shared cache every time.
# Env PUBLIC_PAGE_LOCAL_ENTRIES; pages per process; default 200.
PUBLIC_PAGE_LOCAL_ENTRIES = env_int("PUBLIC_PAGE_LOCAL_ENTRIES", 200)
CACHES["public_pages_local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "public-pages-local",
    "OPTIONS": {"MAX_ENTRIES": max(PUBLIC_PAGE_LOCAL_ENTRIES, 1), "CULL_FREQUENCY": 4},
}

# Public pages (dashboard, plans, initiatives, badges, read API) are cached whole, keyed by the
# latest publication, the language and the full path, for anonymous visitors only
# (docs/architecture.md, "Public pages cache exactly by publication"). Off in tests by default
# (tests that check caching turn it on), so one test's cached page cannot leak into another that
# reuses the same database ids. Env PUBLIC_PAGE_CACHE; on/off; default on, off in tests.
PUBLIC_PAGE_CACHE = env_bool("PUBLIC_PAGE_CACHE", DJANGO_ENV != "test")
# How long a stored page is kept. An edit of master data (plan notes, names, meetings) does not
# wait for it: it changes the fingerprint the keys carry (initiatives.models.MasterDataVersion).
# Env PUBLIC_PAGE_CACHE_SECONDS; seconds; default 300.
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 300)
# Each process re-reads the publications' fingerprint (evaluations.public_cache) at most this
# often, so a cache hit usually touches no database; a new publication or an edit of master data
# shows in every worker within this time (with a shared CACHE_URL, from the next request). 0
# reads it on every request (tests that publish and look at once).
# Env PUBLIC_PAGE_FINGERPRINT_SECONDS; seconds (a fraction allowed); default 1.
PUBLIC_PAGE_FINGERPRINT_SECONDS = env_float("PUBLIC_PAGE_FINGERPRINT_SECONDS", 1.0)
# What the dashboards take from publications (figures, excluded items, trend, and the markup of
# the headline, 1–5 table and charts) is immutable per publication, so each process computes it
# once per publication fingerprint, with the page cache on or off. Off in tests for the same
# reason as the page cache (rolled-back ids are reused); tests that check it turn it on.
# Env PUBLIC_DATA_MEMO; on/off; default on, off in tests.
PUBLIC_DATA_MEMO = env_bool("PUBLIC_DATA_MEMO", DJANGO_ENV != "test")
# Lists that grow with the number of cities (evaluations/directory.py). Up to this many plans the home page shows each plan's dashboard; with more it
# shows the directory: plans grouped by prefecture, a prefecture filter, a name search, pages.
# Env PUBLIC_HOME_BOARDS_MAX; plans; default 5.
PUBLIC_HOME_BOARDS_MAX = env_int("PUBLIC_HOME_BOARDS_MAX", 5)
# Env PUBLIC_HOME_PLANS_PER_PAGE; plans per page of the home page's directory; default 20.
PUBLIC_HOME_PLANS_PER_PAGE = env_int("PUBLIC_HOME_PLANS_PER_PAGE", 20)
# /open-data/plans.json: plans per page when the client names none (``per_page``), and the
# most it may ask for. Env OPEN_DATA_PLANS_PER_PAGE; plans; default 100.
OPEN_DATA_PLANS_PER_PAGE = env_int("OPEN_DATA_PLANS_PER_PAGE", 100)
# Env OPEN_DATA_PLANS_MAX_PER_PAGE; plans; default 500.
OPEN_DATA_PLANS_MAX_PER_PAGE = env_int("OPEN_DATA_PLANS_MAX_PER_PAGE", 500)
# A pillar page's items per page (its totals count every item).
# Env PUBLIC_PILLAR_ITEMS_PER_PAGE; initiatives; default 100.
PUBLIC_PILLAR_ITEMS_PER_PAGE = env_int("PUBLIC_PILLAR_ITEMS_PER_PAGE", 100)
# The initiative browser counts matches up to this many ("more than N" past it): a count that
# stops costs the same among 174,000 initiatives as among 30,000.
# Env PUBLIC_BROWSE_COUNT_MAX; initiatives; default 10000.
PUBLIC_BROWSE_COUNT_MAX = env_int("PUBLIC_BROWSE_COUNT_MAX", 10000)
# A search in the initiative browser counts its matches up to this many, then in steps of it
# as the reader pages on ("more than 1,000", page after page while more match): a word found
# in nearly every item of a 10,000-item plan no longer reads every row for its count. Browsing
# without a search keeps PUBLIC_BROWSE_COUNT_MAX.
# Env PUBLIC_BROWSE_SEARCH_COUNT_MAX; initiatives; default 1000.
PUBLIC_BROWSE_SEARCH_COUNT_MAX = env_int("PUBLIC_BROWSE_SEARCH_COUNT_MAX", 1000)
# The initiative browser lists up to this many plans (of the chosen prefecture) in its plan
# filter; past it, a prefecture must be chosen first.
# Env PUBLIC_BROWSE_PLAN_CHOICES_MAX; plans; default 200.
PUBLIC_BROWSE_PLAN_CHOICES_MAX = env_int("PUBLIC_BROWSE_PLAN_CHOICES_MAX", 200)
# The plan page lists this many of its 評価対象外 items; the rest are one link away (the
# initiative browser, filtered).
# Env PUBLIC_PLAN_EXCLUDED_MAX; initiatives; default 20.
PUBLIC_PLAN_EXCLUDED_MAX = env_int("PUBLIC_PLAN_EXCLUDED_MAX", 20)
# The page chrome (site header, footer) is a function of the language and the page's URL name
# alone: Django's {% cache %} keeps it per process (rendering its translations and URLs was a
# third of a dashboard render). A dummy cache renders it every time, as tests do by default.
CACHES["template_fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache"
    if PUBLIC_DATA_MEMO
    else "django.core.cache.backends.dummy.DummyCache",
    "LOCATION": "template-fragments",
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff:worklist"
LOGOUT_REDIRECT_URL = "home"

# django-axes first, so a locked-out username + address is refused before a password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "reformtracker.auth_backends.ModelBackend",  # permissions in one query, not two
]
# Lock the pair (username, address) — never the username alone, which anyone could use to lock a
# colleague out — and only for a cool-off period, never permanently.
# Env AXES_FAILURE_LIMIT; failed sign-ins before the lock; default 5.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
# Env AXES_COOLOFF_MINUTES; minutes the lock lasts; default 15.
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The cool-off runs from the lock: failed attempts during it are refused without being counted,
# so an outsider who keeps trying cannot keep a colleague locked out for ever.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The address of the pair is the visitor's, read through the trusted proxies
# (reformtracker.client_ip): behind a proxy, REMOTE_ADDR is the proxy's for everyone.
AXES_CLIENT_IP_CALLABLE = "reformtracker.client_ip.client_ip"
# Reverse proxies (nginx, a load balancer) in front of the site, each adding the address it got
# the request from to X-Forwarded-For; the visitor's address is taken that many entries from the
# right. 0 uses the connection's address (no proxy, or one that hides the visitor's).
# Env TRUSTED_PROXY_COUNT; proxies; default 0.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Evidence files (PDF, images, Excel) for entries: outside MEDIA_ROOT, never given a public URL;
# evaluations.views.staff streams them after a permission check (evaluations.evidence).
# Env EVIDENCE_MAX_BYTES; bytes per file; default 10 MiB (10485760).
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
# The largest X会議 material file the reform office may upload (slides run larger than evidence).
# Env MEETING_MATERIAL_MAX_BYTES; bytes per file; default 20 MiB (20971520).
MEETING_MATERIAL_MAX_BYTES = env_int("MEETING_MATERIAL_MAX_BYTES", 20 * 1024 * 1024)
# X会議 per page of the public meeting lists (/meetings/, per plan, upcoming or held; their JSON)
# and of the office's list of a plan's meetings.
# Env MEETINGS_PER_PAGE; meetings; default 20.
MEETINGS_PER_PAGE = env_int("MEETINGS_PER_PAGE", 20)
# Evidence files, report jobs and uploaded 照会票 awaiting confirmation live here when
# PRIVATE_FILES_BACKEND is filesystem (backup_site then archives the folders).
# Env PRIVATE_MEDIA_ROOT; a folder; default private_media.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private_media")))
# Where the private files live: "database" keeps them in the database's StoredFile table
# (evaluations.filestore), so app servers that share only the database see the same files and the
# database's backup holds them; "filesystem" keeps them under PRIVATE_MEDIA_ROOT on this machine.
# Env PRIVATE_FILES_BACKEND; filesystem or database; default database in production, filesystem
# elsewhere.
PRIVATE_FILES_BACKEND = env_str("PRIVATE_FILES_BACKEND", "database" if PRODUCTION else "filesystem")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # In production, collectstatic writes each file under a name holding a hash of its content
    # (site.3f2a….css) with gzip copies beside it, and WhiteNoise serves those names with
    # "Cache-Control: max-age=315360000, public, immutable": a new version is a new name. Tests
    # and development keep plain names, which need no collectstatic.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
    # evidence, reports (finished background reports) and imports (uploaded 照会票 awaiting
    # confirmation): private, never given a URL (reformtracker.env.private_storages).
    **private_storages(PRIVATE_FILES_BACKEND, PRIVATE_MEDIA_ROOT),
}
# The site's name in the header, titles and share cards; empty for the translated default
# 「市政改革の進捗」 (English "Reform progress"). A city running its own copy sets its own.
# Env SITE_NAME; text; default empty (the translated default).
SITE_NAME = env_str("SITE_NAME", "")
# Who runs this site: named as the PDF's Author and in the footer (運営). Never a city that did
# not publish the document itself (evaluations.provenance.operator).
# Env SITE_OPERATOR; text; default reformtracker.
SITE_OPERATOR = env_str("SITE_OPERATOR", "reformtracker")
# The largest logo a reform office may upload in its identity page (evaluations.identity).
# Env IDENTITY_LOGO_MAX_BYTES; bytes; default 524288 (512 KiB).
IDENTITY_LOGO_MAX_BYTES = env_int("IDENTITY_LOGO_MAX_BYTES", 512 * 1024)
# manage.py backup_site and restore_site (evaluations.backup) run pg_dump and pg_restore from here
# on PostgreSQL; their major version must be at least the server's.
# Env PG_BINDIR; a folder; default /usr/lib/postgresql/15/bin.
PG_BINDIR = Path(env_str("PG_BINDIR", "/usr/lib/postgresql/15/bin"))
# Import WeasyPrint and prepare the report font when a WSGI worker starts (reformtracker/wsgi.py)
# rather than on the first report; off in development, where the autoreloader restarts often.
# Env REPORT_WARM_UP; on/off; default on in production, off elsewhere.
REPORT_WARM_UP = env_bool("REPORT_WARM_UP", DJANGO_ENV == "production")
# An uploaded 照会票 waits this long for its preview to be confirmed (evaluations.import_uploads).
# Env IMPORT_UPLOAD_MAX_AGE_HOURS; hours; default 24.
IMPORT_UPLOAD_MAX_AGE_HOURS = env_int("IMPORT_UPLOAD_MAX_AGE_HOURS", 24)
# Bounds an uploaded 照会票 (an .xlsx, which is a zip) must keep before anything in it is parsed,
# so a zip bomb is refused unopened (the workbook import). The members' bounds hold for evidence
# files in zip formats too (evaluations.evidence).
# Env IMPORT_MAX_UPLOAD_BYTES; bytes of the uploaded file; default 10 MiB (10485760).
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# Env IMPORT_MAX_MEMBERS; files inside the zip; default 500.
IMPORT_MAX_MEMBERS = env_int("IMPORT_MAX_MEMBERS", 500)
# Env IMPORT_MAX_UNCOMPRESSED_BYTES; bytes of all files inside, uncompressed; default 200 MiB.
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024)
# Env IMPORT_MAX_MEMBER_BYTES; bytes of one file inside, uncompressed; default 100 MiB.
IMPORT_MAX_MEMBER_BYTES = env_int("IMPORT_MAX_MEMBER_BYTES", 100 * 1024 * 1024)
# A file inside larger than 1 MiB may not expand more than this; real sheet XML stays far below.
# Env IMPORT_MAX_RATIO; uncompressed / compressed size, per file; default 200.
IMPORT_MAX_RATIO = env_int("IMPORT_MAX_RATIO", 200)
# Bounds on the sheets themselves, checked by a streaming scan of each sheet's XML before any of it
# is parsed (evaluations.workbooks.bounds): a real 照会票 has a few thousand rows of nine columns.
# Env IMPORT_MAX_SHEET_BYTES; bytes of one XML part (a sheet, the shared strings), uncompressed;
# default 20 MiB.
IMPORT_MAX_SHEET_BYTES = env_int("IMPORT_MAX_SHEET_BYTES", 20 * 1024 * 1024)
# Env IMPORT_MAX_ROWS; highest row number (and most rows) of a sheet; default 20000.
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20_000)
# Env IMPORT_MAX_COLUMNS; highest column number of a cell (50 = AX); default 50.
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 50)
# Env IMPORT_MAX_CELLS; cells of the whole workbook, and shared strings; default 200000.
IMPORT_MAX_CELLS = env_int("IMPORT_MAX_CELLS", 200_000)
# Room for an evidence file at the limit plus the form around it.
DATA_UPLOAD_MAX_MEMORY_SIZE = EVIDENCE_MAX_BYTES + 1024 * 1024

# Background work (progress reports of large plans, and the periodic tasks in
# evaluations.tasks). In production the database backend: a task is a row, run by
# `manage.py db_worker`; in development and tests the immediate backend runs it inside the
# request that enqueues it (make run names the database backend and starts a worker).
# Env TASKS_BACKEND; a dotted class path; default the database backend in production, the
# immediate backend elsewhere.
TASKS = {
    "default": {
        "BACKEND": env_str(
            "TASKS_BACKEND",
            "django_tasks_db.DatabaseBackend"
            if PRODUCTION
            else "django.tasks.backends.immediate.ImmediateBackend",
        )
    }
}
# The worker (`manage.py worker`: db_worker plus a heartbeat) writes a row saying it is alive
# this often, idle or busy (evaluations.heartbeat).
# Env WORKER_HEARTBEAT_SECONDS; seconds (a fraction allowed); default 10.
WORKER_HEARTBEAT_SECONDS = env_float("WORKER_HEARTBEAT_SECONDS", 10.0)
# /readyz says "worker heartbeat stale" when no worker has written its row for this long.
# Env WORKER_HEARTBEAT_STALE_SECONDS; seconds; default 60.
WORKER_HEARTBEAT_STALE_SECONDS = env_float("WORKER_HEARTBEAT_STALE_SECONDS", 60.0)
# Whether /readyz asks for a live worker. On in production, where background work waits for one;
# off elsewhere, where the immediate backend runs tasks in the request and no worker is needed.
# Env READINESS_REQUIRES_WORKER; on/off; default on in production, off elsewhere.
READINESS_REQUIRES_WORKER = env_bool("READINESS_REQUIRES_WORKER", PRODUCTION)
# A running report job whose worker has not touched it for this long had its worker die: it
# reads as failed, with a message asking the user to try again. The worker touches it every
# quarter of this while it works.
# Env REPORT_JOB_STALE_SECONDS; seconds; default 120.
REPORT_JOB_STALE_SECONDS = env_int("REPORT_JOB_STALE_SECONDS", 120)
# A finished report job (and its PDF) is deleted this long after it finished, by the clean-up
# (manage.py clear_report_jobs, or its task).
# Env REPORT_JOB_KEEP_HOURS; hours; default 24.
REPORT_JOB_KEEP_HOURS = env_int("REPORT_JOB_KEEP_HOURS", 24)
# Plans with more published items than this get their PDF made as a background job.
# Env REPORT_BACKGROUND_THRESHOLD; published items; default 300.
REPORT_BACKGROUND_THRESHOLD = env_int("REPORT_BACKGROUND_THRESHOLD", 300)
# A report of at least REPORT_PARALLEL_THRESHOLD items is cut into up to REPORT_PROCESSES parts,
# each laid out in its own process at once (evaluations/reports/parts.py); 1 makes every report
# in one piece. One more part than CPUs: chapters differ in length, and while the longest part
# finishes, the others have kept every CPU busy (on 2 CPUs, 3 parts took 4.2 s, 2 parts 5.0 s).
# Env REPORT_PROCESSES; processes; default the CPUs + 1, at most 8.
# Env REPORT_PARALLEL_THRESHOLD; published items; default 300.
_CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
REPORT_PROCESSES = env_int("REPORT_PROCESSES", min(8, _CPUS + 1))
REPORT_PARALLEL_THRESHOLD = env_int("REPORT_PARALLEL_THRESHOLD", 300)
# `manage.py progress_report` forks its typesetting process (WeasyPrint, the font) before Django
# is set up, so the two start side by side (evaluations/reports/ahead.py); off: one after the
# other, in the command's own process. Env REPORT_TYPESET_AHEAD; on/off; default on.
REPORT_TYPESET_AHEAD = env_bool("REPORT_TYPESET_AHEAD", True)
# A part's process that has not answered in this time is killed and the report made in one
# piece instead. Env REPORT_PART_TIMEOUT_SECONDS; seconds; default 600.
REPORT_PART_TIMEOUT_SECONDS = env_int("REPORT_PART_TIMEOUT_SECONDS", 600)
# The font of the reports and share cards: the shipped subset of IPAex Gothic by default, or a
# full font to print text outside the subset (evaluations/reports/fonts/README.md). Read once
# per process, when evaluations.reports.typesetting is imported.
# Env REPORT_FONT_FILE; an absolute path to a .ttf;
# default evaluations/reports/fonts/reformgothic.ttf.
REPORT_FONT_FILE = Path(
    env_str("REPORT_FONT_FILE", str(BASE_DIR / "evaluations/reports/fonts/reformgothic.ttf"))
)

# A session ends after this long without a request (a request renews it, at most once per
# thirtieth of this time: reformtracker.sessions, so up to a thirtieth sooner).
# Env SESSION_IDLE_SECONDS; seconds; default 1800.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_COOKIE_HTTPONLY = True

if PRODUCTION:
    # Env SECURE_SSL_REDIRECT; on/off; default on (production only).
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Env SECURE_HSTS_SECONDS; seconds browsers keep to HTTPS; default 31536000 (a year).
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Env SECURE_HSTS_PRELOAD; on/off; default off (see below).
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading binds every subdomain of the city's domain for good: the domain's owner
        # opts in with SECURE_HSTS_PRELOAD=1; until then `check --deploy` need not repeat it.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # A load balancer's health and readiness checks ask over plain HTTP and want an answer,
    # not a redirect.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response: only this site's own files, no inline script or
# style (the templates have none; htmx's indicator style is off, see base.html), no plugins, no
# framing, forms posted here only. No nonces: a stored public page serves many visitors.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
# No script reads these cookies (htmx gets the CSRF token from the page), and none is needed on
# a request from another site.
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = PRODUCTION
# The 403 of a failed CSRF check in the site's language and layout (reformtracker/views.py).
CSRF_FAILURE_VIEW = "reformtracker.views.csrf_failure"

# Django 6.1 mailers. Console by default (reminders print to the terminal); SMTP when
# EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the EMAIL_* variables are set.
# Production defaults to SMTP: the console backend would silently drop reminders there.
# Env EMAIL_BACKEND; a dotted class path; default SMTP in production, the console elsewhere.
# For SMTP: Env EMAIL_HOST; a host name; default localhost. Env EMAIL_PORT; a port; default 587.
# Env EMAIL_HOST_USER; text; default empty. Env EMAIL_HOST_PASSWORD; text; default empty.
# Env EMAIL_USE_TLS; on/off; default on.
_EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
_EMAIL_OPTIONS = {}
if _EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    _EMAIL_OPTIONS = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 587),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", True),
    }
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND, "OPTIONS": _EMAIL_OPTIONS}}
# The sender of reminders. Env DEFAULT_FROM_EMAIL; an address; default reformtracker@localhost.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "reformtracker@localhost")
# The site's own address as people reach it, for links in mail (a reminder's link to the entry):
# a command or task has no request to take the host from. Reminders refuse to go out without it
# in production rather than mail a link to localhost.
# Env SITE_URL; an http(s) URL without a trailing slash; default http://localhost:8000 outside
# production, unset in production.
SITE_URL = (env_str("SITE_URL", "" if PRODUCTION else "http://localhost:8000") or "").rstrip("/")
if SITE_URL and not re.fullmatch(r"https?://[^/\s]+(/\S*)?", SITE_URL):
    raise ImproperlyConfigured(f"SITE_URL must be an http(s) URL, not {SITE_URL!r}.")

# Each line carries the request's id (reformtracker.request_id) and stays one line whatever a
# visitor typed (reformtracker.log_lines). django.request writes every 4xx and 5xx answer, a 500
# with its traceback; django.security refused hosts and CSRF failures.
# Env LOG_LEVEL; DEBUG, INFO, WARNING or ERROR; default INFO.
# Each line as a JSON object (time, level, logger, request_id, message and the record's fields)
# or as plain text. Env LOG_FORMAT; json or plain; default json in production, plain elsewhere.
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "plain")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, got {LOG_FORMAT!r}")
# One line per request on stdout (logger reformtracker.access): method, path, status,
# duration_ms, request id, user id or "-" (reformtracker.access_log). `make run` has the
# development server's own. Env ACCESS_LOG; on/off; default on in production, off elsewhere.
ACCESS_LOG = env_bool("ACCESS_LOG", PRODUCTION)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "reformtracker.request_id.RequestIdFilter"},
        "one_line": {"()": "reformtracker.log_lines.OneLineFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "reformtracker.log_lines.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "one_line"],
            "formatter": LOG_FORMAT,
        },
        "access": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id", "one_line"],
            "formatter": LOG_FORMAT,
        },
    },
    "loggers": {
        "reformtracker": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
        "reformtracker.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        # Not on to the "django" logger, whose console handler (DEBUG only) would repeat them.
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
