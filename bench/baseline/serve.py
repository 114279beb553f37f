"""Create the baseline database and a bearer token, then serve the baseline with uvicorn.

    python bench/baseline/serve.py --port 8001 --db /tmp/baseline.sqlite3 [--token-file F]

The token is printed alone on the last line of stdout (and written to --token-file if given)
before the server starts; uvicorn's own messages go to stderr.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--db", required=True, help="SQLite file; created if missing")
    parser.add_argument("--token-file", help="also write the token to this file")
    args = parser.parse_args()

    sys.path.insert(0, str(BENCH_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "baseline.settings"
    os.environ["BASELINE_DB"] = str(Path(args.db).resolve())

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", run_syncdb=True, verbosity=0)

    from baseline.app import token_digest
    from baseline.models import ApiToken

    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(digest=token_digest(token))
    if args.token_file:
        Path(args.token_file).write_text(token + "\n")
    print(token, flush=True)

    import uvicorn
    from django.core.asgi import get_asgi_application

    try:
        import httptools  # noqa: F401

        http = "httptools"
    except ImportError:
        http = "auto"

    # The same server options as `lagniappe serve`: one process, httptools when installed,
    # the fastest event loop installed (uvloop), no access log.
    uvicorn.run(
        get_asgi_application(),
        host=args.host,
        port=args.port,
        workers=1,
        http=http,
        loop="auto",
        lifespan="off",
        access_log=False,
        log_level="warning",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
