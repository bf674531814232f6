"""`tocds admin messages`: messages sent per messenger and day."""

from .common import settings_and_session


def add_commands(admin) -> None:
    sent = admin.add_parser("messages", help="messages sent per messenger and day (for quotas)")
    sent.add_argument("--days", type=int, default=31, help="how many days back (default 31)")
    sent.set_defaults(run=cmd_messages)


def cmd_messages(args) -> int:
    from datetime import timedelta

    from ...models.queries import messages_sent
    from ...models.types import utcnow

    _, session = settings_and_session()
    rows = messages_sent(session, utcnow() - timedelta(days=args.days))
    print("day,channel,sent")
    for channel, day, count in rows:
        print(f"{day.isoformat()},{channel},{count}")
    return 0
