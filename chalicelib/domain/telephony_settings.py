"""A CRM's telephony settings (SPEC ST-4) and the direction of a call they depend on.

Apart from `telephony.py` so that a CRM record (`crm.py`) loads them without the call rules.
"""

from __future__ import annotations

from enum import StrEnum

from chalicelib.domain.records import record


class CallDirection(StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"
    INTERNAL = "internal"


@record(frozen=True, slots=True)
class TelephonySettings:
    """A CRM's telephony options; the PBX API keys themselves live in the secret store."""

    pbx_timezone: str | None = None  # the PBX cabinet's zone (call_start has none); None: the CRM's
    auto_lead_incoming_calls: bool = True
    auto_lead_outgoing_calls: bool = True
    auto_lead_incoming_sms: bool = True
    auto_lead_outgoing_sms: bool = True
    dial_without_country_code: bool = True
    autodial_all_numbers: bool = True
    sms_all_numbers: bool = False

    def auto_lead(self, direction: CallDirection, *, sms: bool = False) -> bool:
        if sms:
            return self.auto_lead_incoming_sms if direction is CallDirection.INCOMING else self.auto_lead_outgoing_sms
        if direction is CallDirection.INCOMING:
            return self.auto_lead_incoming_calls
        return direction is CallDirection.OUTGOING and self.auto_lead_outgoing_calls
