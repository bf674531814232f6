"""Tables, the database engine and session, migrations, and the queries over them."""

from .announcements import Announcement, AnnouncementDelivery, AnnouncementReceipt, OfficeQuestion
from .conversations import Conversation
from .deadlines import ReportDeadline
from .entries import Audit, Entry, EntryCount, Evidence, NothingToReport
from .indicators import CommuneIndicator, Indicator, IndicatorAlias
from .jobs import AlertState, JobRun, JobSchedule, Subscription
from .mailbox import ChannelBot, InboxUpdate, OutboxMessage
from .orgunits import Level, OrgUnit, PlaceEvent
from .people import ChannelAccount, Invite, Membership, MembershipEvent, Person, Role
from .privacy import Erasure, EvidenceView
from .report_settings import ReportSettings
from .targets import Target
from .totals import CommuneWeekTotal, VillageTotal
from .web_sessions import WebSession

__all__ = [
    "Announcement",
    "AnnouncementDelivery",
    "AnnouncementReceipt",
    "AlertState",
    "JobRun",
    "JobSchedule",
    "Subscription",
    "Audit",
    "ChannelAccount",
    "ChannelBot",
    "Conversation",
    "Entry",
    "EntryCount",
    "Evidence",
    "EvidenceView",
    "Erasure",
    "Indicator",
    "CommuneIndicator",
    "CommuneWeekTotal",
    "IndicatorAlias",
    "InboxUpdate",
    "Invite",
    "Level",
    "Membership",
    "MembershipEvent",
    "NothingToReport",
    "OfficeQuestion",
    "OrgUnit",
    "OutboxMessage",
    "Person",
    "PlaceEvent",
    "ReportDeadline",
    "ReportSettings",
    "Role",
    "Target",
    "VillageTotal",
    "WebSession",
]
