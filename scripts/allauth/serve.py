"""django-allauth's headless API as a deployer would run it in front of Reclaim's pages.

A one-file Django project: the headless app client only (`/_allauth/app/v1/...`: no cookies, no
CSRF token), login by email, reset links (or, with --reset-by-code, codes) mailed into a folder
as one `.eml` file each, CORS for the pages' origin, Django's default password validators. It
creates its tables, then serves with Django's own server (enough for tests and trying it out).

    python serve.py --port 8001 --pages-origin http://127.0.0.1:8000 \\
        --mail-dir mail --database allauth.sqlite3 [--reset-by-code] [--rate-limits]

Run it with the venv scripts/setup.sh installs ($RECLAIM_CACHE/allauth/venv/bin/python).
This file is also Django's URL module (ROOT_URLCONF) and holds the mail backend (`__main__.…`).
"""

import argparse
import itertools
import os
import secrets
import threading
import time
from pathlib import Path

import django
from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import include, path


class MailFolderBackend(BaseEmailBackend):
    """Writes each message, as sent over SMTP, to its own file in the mail folder.

    Named by the time it was sent, so that a reader sorting the names reads mails in order;
    written under another name and renamed, so that a reader never sees half a mail.
    """

    _sequence = itertools.count()
    _lock = threading.Lock()

    def send_messages(self, email_messages):
        folder = Path(settings.RECLAIM_MAIL_DIR)
        for message in email_messages:
            with self._lock:
                name = f"{time.time_ns():020d}-{next(self._sequence):06d}.eml"
            (folder / f".{name}").write_bytes(message.message().as_bytes())
            (folder / f".{name}").rename(folder / name)
        return len(email_messages)


def configure(args):
    from corsheaders.defaults import default_headers

    pages = args.pages_origin.rstrip("/")
    settings.configure(
        DEBUG=False,
        SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(Path(args.database).resolve()),
            }
        },
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "corsheaders",
            "allauth",
            "allauth.account",
            "allauth.headless",
        ],
        MIDDLEWARE=[
            "corsheaders.middleware.CorsMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            # Answers (and mails) in the language the request's Accept-Language asks for.
            "django.middleware.locale.LocaleMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "allauth.account.middleware.AccountMiddleware",
        ],
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": ["django.template.context_processors.request"]
                },
            }
        ],
        AUTHENTICATION_BACKENDS=["allauth.account.auth_backends.AuthenticationBackend"],
        # Django's defaults: too similar to the address, shorter than 8, common, all digits.
        AUTH_PASSWORD_VALIDATORS=[
            {"NAME": f"django.contrib.auth.password_validation.{name}"}
            for name in (
                "UserAttributeSimilarityValidator",
                "MinimumLengthValidator",
                "CommonPasswordValidator",
                "NumericPasswordValidator",
            )
        ],
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        EMAIL_BACKEND=f"{__name__}.MailFolderBackend",
        DEFAULT_FROM_EMAIL="no-reply@example.com",
        RECLAIM_MAIL_DIR=str(Path(args.mail_dir).resolve()),
        HEADLESS_ONLY=True,
        HEADLESS_CLIENTS=("app",),
        # Where mailed links lead: the pages, with the key in the query.
        HEADLESS_FRONTEND_URLS={
            "account_reset_password_from_key": f"{pages}/reset?key={{key}}",
            "account_reset_password": f"{pages}/recover",
            "account_signup": f"{pages}/sign-up",
            "account_confirm_email": f"{pages}/verify-email?key={{key}}",
        },
        ACCOUNT_LOGIN_METHODS={"email"},
        ACCOUNT_SIGNUP_FIELDS=["email*", "password1*"],
        ACCOUNT_EMAIL_VERIFICATION="none",
        ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED=args.reset_by_code,
        # allauth's defaults (5 requests a minute per address, 20 per IP) unless turned off.
        **({} if args.rate_limits else {"ACCOUNT_RATE_LIMITS": False}),
        CORS_ALLOWED_ORIGINS=[pages],
        CORS_ALLOW_HEADERS=(
            *default_headers,
            "accept-language",
            "x-password-reset-key",
            "x-session-token",
        ),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pages-origin", required=True, help="e.g. http://127.0.0.1:8000")
    parser.add_argument("--mail-dir", required=True, help="one .eml file per mail sent")
    parser.add_argument("--database", required=True, help="SQLite file (created if missing)")
    parser.add_argument(
        "--reset-by-code",
        action="store_true",
        help="mail codes instead of links (ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED)",
    )
    parser.add_argument(
        "--rate-limits", action="store_true", help="keep allauth's default rate limits"
    )
    args = parser.parse_args()
    Path(args.mail_dir).mkdir(parents=True, exist_ok=True)
    configure(args)
    django.setup()
    # Read by Django at the first request (ROOT_URLCONF is this module); allauth's URLs can
    # only be imported once Django is set up.
    global urlpatterns
    urlpatterns = [path("_allauth/", include("allauth.headless.urls"))]

    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command(
        "runserver",
        f"127.0.0.1:{args.port}",
        use_reloader=False,
        use_threading=True,
        skip_checks=True,
    )


if __name__ == "__main__":
    main()
