"""Invitations: found by token hash (AP12) before any tenant is known; listed per CRM (AP13)."""

from __future__ import annotations

from chalicelib.db import keys
from chalicelib.db.items import narrow
from chalicelib.db.models.users import InvitationItem
from chalicelib.db.writes import Delete, Put, must_exist, must_not_exist
from chalicelib.domain.clock import isoformat_z
from chalicelib.domain.errors import ConflictError
from chalicelib.domain.invitations import Invitation


class InvitationRepository:
    def get_by_token_hash(self, digest: str) -> Invitation | None:
        """AP12."""
        try:
            item = InvitationItem.get(keys.invitation_pk(digest), keys.invitation_sk(), consistent_read=True)
        except InvitationItem.DoesNotExist:
            return None
        return _to_invitation(item)

    def list_pending(self, tenant_id: str, *, limit: int = 100) -> list[Invitation]:
        """AP13: a CRM's invitations not yet accepted (expired ones vanish through TTL)."""
        items = InvitationItem.gsi1.query(keys.invitations_pk(tenant_id), limit=limit, scan_index_forward=False)
        return [_to_invitation(narrow(item, InvitationItem)) for item in items]

    def creation_writes(self, invitation: Invitation, digest: str) -> list[Put]:
        item = InvitationItem(
            keys.invitation_pk(digest),
            keys.invitation_sk(),
            gsi1pk=keys.invitations_pk(invitation.tenant_id),
            gsi1sk=keys.invitations_sk(isoformat_z(invitation.created_at), invitation.id),
            invitation_id=invitation.id,
            tenant_id=invitation.tenant_id,
            group_id=invitation.group_id,
            email=invitation.email,
            user_id=invitation.user_id,
            created_by=invitation.created_by,
            created_at=invitation.created_at,
            expires_at=invitation.expires_at,
            ttl=invitation.expires_at,
        )
        return [Put(item, condition=must_not_exist())]

    def use_write(self, digest: str) -> Delete:
        """Consume the invitation in the acceptance transaction: a second use fails it."""
        used = ConflictError("this invitation has already been used", field="token")
        return Delete(
            InvitationItem(keys.invitation_pk(digest), keys.invitation_sk()), condition=must_exist(), on_conflict=used
        )


def _to_invitation(item: InvitationItem) -> Invitation:
    return Invitation(
        id=item.invitation_id,
        tenant_id=item.tenant_id,
        group_id=item.group_id,
        created_by=item.created_by,
        created_at=item.created_at,
        expires_at=item.expires_at,
        email=item.email,
        user_id=item.user_id,
    )
