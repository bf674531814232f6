"""Tables, the database engine and session, migrations, and the queries over them."""

from .conversations import Conversation
from .entries import Audit, Entry, EntryCount, NothingToReport
from .indicators import Indicator, IndicatorAlias
from .orgunits import Level, OrgUnit
from .people import ChannelAccount, Invite, Membership, Person, Role
from .targets import Target

__all__ = [
    "Audit",
    "ChannelAccount",
    "Conversation",
    "Entry",
    "EntryCount",
    "Indicator",
    "IndicatorAlias",
    "Invite",
    "Level",
    "Membership",
    "NothingToReport",
    "OrgUnit",
    "Person",
    "Role",
    "Target",
]
