"""`tocds run` and `tocds serve`: the bot's long-running processes."""

import sys

from .common import EXIT_USAGE, CommandError


def add_commands(commands) -> None:
    run = commands.add_parser("run", help="serve every messenger with a token (long polling)")
    run.set_defaults(run=cmd_run)

    serve = commands.add_parser(
        "serve", help="webhook server on TOCDS_LISTEN (POST /telegram, POST /zalo, GET /healthz)")
    serve.set_defaults(run=cmd_serve)


def cmd_run(args) -> int:
    import asyncio

    from ..database import only_one
    from ..run import configured_channels, run
    from ..settings import get_settings

    settings = get_settings()
    channels = configured_channels(settings)
    if not channels:
        print("No messenger to serve: set TOCDS_TELEGRAM_TOKEN (a token from @BotFather) or "
              "TOCDS_ZALO_TOKEN (from the Zalo Bot Platform) in the environment or in .env, "
              "then run `tocds run` again.", file=sys.stderr)
        return EXIT_USAGE
    try:
        with only_one(settings.database_url, "run"):
            asyncio.run(run(settings, channels))
    except KeyboardInterrupt:
        pass
    return 0


def cmd_serve(args) -> int:
    from ..run import configured_channels
    from ..serve import serve
    from ..settings import get_settings

    settings = get_settings()
    channels = configured_channels(settings)
    if not channels and not settings.web_url:
        raise CommandError("no messenger to serve: set TOCDS_TELEGRAM_TOKEN or TOCDS_ZALO_TOKEN "
                           "in the environment or .env (or TOCDS_WEB_URL to serve the web desk alone)")
    if channels and not settings.webhook_secret:
        raise CommandError("set TOCDS_WEBHOOK_SECRET (any long random text): every webhook request must carry it")
    serve(settings, channels)
    return 0
