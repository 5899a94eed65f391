"""Email signatures of one CRM (EM-5, AP100, AP101), in the tenant's partition."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.db import keys
from chalicelib.db.models.email_outgoing import EmailSignatureItem
from chalicelib.db.writes import Delete, Put, Update, must_exist, must_not_exist, transact
from chalicelib.domain.email.outgoing import Signature
from chalicelib.domain.errors import StaleVersionError


class SignatureRepository:
    def __init__(self, tenant_id: str) -> None:
        self._pk = keys.tenant_pk(tenant_id)

    def list_all(self) -> list[Signature]:
        """AP100: every signature (a handful), in creation order, one Query."""
        items = EmailSignatureItem.query(self._pk, EmailSignatureItem.sk.startswith(keys.EMAIL_SIGNATURE))
        return [_to_signature(i) for i in items]

    def get(self, signature_id: str) -> Signature | None:
        """AP101."""
        try:
            return _to_signature(EmailSignatureItem.get(self._pk, keys.email_signature_sk(signature_id)))
        except EmailSignatureItem.DoesNotExist:
            return None

    def create(self, signature: Signature) -> None:
        item = EmailSignatureItem(
            self._pk,
            keys.email_signature_sk(signature.id),
            name=signature.name,
            html=signature.html,
            created_at=signature.created_at,
        )
        transact([Put(item, condition=must_not_exist())])

    def save(self, before: Signature, after: Signature) -> Signature:
        item = EmailSignatureItem(self._pk, keys.email_signature_sk(before.id), version=before.version)
        actions = [EmailSignatureItem.name.set(after.name), EmailSignatureItem.html.set(after.html)]
        transact([Update(item, actions, condition=must_exist(), on_conflict=StaleVersionError("signature"))])
        return replace(after, version=before.version + 1)

    def delete(self, signature: Signature) -> None:
        item = EmailSignatureItem(self._pk, keys.email_signature_sk(signature.id), version=signature.version)
        transact([Delete(item, condition=must_exist(), on_conflict=StaleVersionError("signature"))])


def _to_signature(item: EmailSignatureItem) -> Signature:
    return Signature(
        id=item.sk.removeprefix(keys.EMAIL_SIGNATURE),
        name=item.name,
        html=item.html,
        created_at=item.created_at,
        version=item.version or 1,
    )
