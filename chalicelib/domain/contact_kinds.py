"""What a contact is (SPEC CL, LD): its kind, status, type, channels and lead states.

Apart from the record (`contacts.py`) so that code which only names a kind or a source (the
workers' queries, the dialler) does not load the contact record and its rules.
"""

from __future__ import annotations

from enum import StrEnum


class ContactKind(StrEnum):
    CLIENT = "client"
    LEAD = "lead"


class ContactStatus(StrEnum):
    INDIVIDUAL = "individual"
    COMPANY = "company"


class ClientType(StrEnum):
    POTENTIAL = "potential"
    CLIENT = "client"
    RESELLER = "reseller"
    PARTNER = "partner"


class ChannelType(StrEnum):
    WORK = "work"
    MOBILE = "mobile"
    HOME = "home"
    PERSONAL = "personal"
    OTHER = "other"


class LeadStatus(StrEnum):
    NOT_PROCESSED = "not_processed"
    IN_PROGRESS = "in_progress"
    FINISHED = "finished"


class LeadSource(StrEnum):
    MANUAL = "manual"
    CALL_INCOMING = "call_incoming"
    CALL_OUTGOING = "call_outgoing"
    SMS = "sms"
    EMAIL = "email"
    FORM = "form"
    IMPORT = "import"
    API = "api"
    ZAPIER = "zapier"
