"""`tocds admin evidence --keep-days|--views`: how long evidence files are kept, and who saw them."""

import argparse
import sys

from .common import shown_local


def days(text: str) -> int:
    """`--keep-days`: a whole number of days, 0 or more."""
    if not text.isdecimal():
        raise argparse.ArgumentTypeError(f"{text!r}: give the number of days, 0 or more (default 365)")
    return int(text)


def keeping(args, session, commune) -> None:
    """Sets (with --keep-days) and prints how long the commune's evidence files are kept, and each kept file."""
    from ...models.privacy import files_of, kept_until

    if args.keep_days is not None:
        commune.evidence_keep_days = args.keep_days
        session.add(commune)
        session.commit()
    days = commune.evidence_keep_days
    print(f"{commune.name}: files kept {days} days after their decision (approved or to complete); "
          f"never reviewed, {days} days after the deadline of their month's report")
    files = files_of(session, commune)
    print(f"{len(files)} files kept, {sum(e.size or 0 for e in files)} bytes", file=sys.stderr)
    print("evidence,received,status,size,kept_until")
    for evidence in files:
        print(f"{evidence.id},{evidence.received_at:%Y-%m-%d},{evidence.status},{evidence.size or ''},"
              f"{kept_until(session, evidence, commune).isoformat()}")


def views(session, commune, zone: str) -> None:
    """Prints every showing of the commune's evidence files, newest first."""
    from ...models.privacy import views_of

    print("at,viewer,via,evidence,village,day")
    for view, name, village, day in views_of(session, [commune.id], None):
        print(f"{shown_local(view.at, zone)},{name or 'anyone with the link'},{view.via},{view.evidence_id},"
              f"{village},{day.isoformat()}")
