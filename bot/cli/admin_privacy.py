"""`tocds admin evidence --keep-days|--views`: how long evidence files are kept, and who saw them;
`tocds admin person`: what is stored about a person, and erasing it."""

import argparse
import sys

from .common import CommandError, commune_named, settings_and_session, shown_local


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


def add_commands(admin) -> None:
    person = admin.add_parser(
        "person", help="JSON of everything stored about a person; --erase replaces their name with a neutral "
                       "label and deletes their chat ids, photos and conversations (their counts stay)")
    person.add_argument("--person", required=True, help="the name as reports and `tocds admin members` show it")
    person.add_argument("--commune", help="only the people of that name who reported or had a place there")
    person.add_argument("--erase", action="store_true", help="erase (only once they have left every place)")
    person.add_argument("--operator", help="with --erase: your name, kept with the erasure")
    person.set_defaults(run=cmd_person)


def person_named(session, name: str, commune_name: str | None):
    """The one person of that name (in that commune): refused, saying how to narrow it, otherwise."""
    from sqlmodel import or_, select

    from ...models import Entry, Membership, MembershipEvent, OrgUnit, Person
    from ...models.text import fold

    people = [p for p in session.exec(select(Person).order_by(Person.id)) if fold(p.name) == fold(name)]
    if commune_name:
        commune = commune_named(session, commune_name)
        units = select(OrgUnit.id).where(or_(OrgUnit.id == commune.id, OrgUnit.parent_id == commune.id))
        there = set(session.exec(select(Entry.person_id).where(Entry.village_id.in_(units))))
        there |= set(session.exec(select(Membership.person_id).where(Membership.org_unit_id.in_(units))))
        there |= set(session.exec(select(MembershipEvent.person_id).where(MembershipEvent.commune_id == commune.id)))
        people = [p for p in people if p.id in there]
    if not people:
        raise CommandError(f"nobody named {name!r}{' in ' + commune_name if commune_name else ''}: "
                           "check the spelling with `tocds admin members`")
    if len(people) > 1:
        raise CommandError(f"{len(people)} people are named {name!r}: add --commune C to say which")
    return people[0]


def cmd_person(args) -> int:
    import json

    from ...models.privacy import StillMember, erase_person, person_data
    from ...models.types import utcnow

    settings, session = settings_and_session()
    person = person_named(session, args.person, args.commune)
    if args.erase:
        if not (args.operator or "").strip():
            raise CommandError("--erase needs --operator YOUR-NAME: the erasure is recorded with who did it")
        try:
            erasure = erase_person(session, person, settings.evidence_dir, args.operator.strip(), utcnow())
        except StillMember:
            raise CommandError(f"{person.name} still has a place: remove them first "
                               "(`tocds admin remove --commune C --person NAME`), then erase") from None
        session.commit()
        print(f"{args.person} is now {person.name}: {erasure.detail}", file=sys.stderr)
    print(json.dumps(person_data(session, person), ensure_ascii=False, indent=2))
    return 0
