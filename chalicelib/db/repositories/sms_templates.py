"""SMS templates of one CRM (AP37), in the tenant's partition."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.db import keys
from chalicelib.db.models.broadcasts import SmsTemplateItem
from chalicelib.db.pagination import Page, prefix_page
from chalicelib.db.writes import Delete, Put, Update, must_exist, must_not_exist, transact
from chalicelib.domain.errors import StaleVersionError
from chalicelib.domain.sms import SmsTemplate


class SmsTemplateRepository:
    def __init__(self, tenant_id: str) -> None:
        self._tenant_id = tenant_id
        self._pk = keys.tenant_pk(tenant_id)

    def list_all(self) -> list[SmsTemplate]:
        """AP37."""
        items = SmsTemplateItem.query(self._pk, SmsTemplateItem.sk.startswith(keys.SMS_TEMPLATE))
        return [_to_template(i) for i in items]

    def page(self, *, limit: int, cursor: str | None = None) -> Page[SmsTemplate]:
        """AP37, one page in creation order (ids are time-ordered)."""
        return prefix_page(
            SmsTemplateItem,
            self._pk,
            keys.SMS_TEMPLATE,
            self._tenant_id,
            limit=limit,
            cursor=cursor,
            convert=_to_template,
        )

    def get(self, template_id: str) -> SmsTemplate | None:
        try:
            return _to_template(SmsTemplateItem.get(self._pk, keys.sms_template_sk(template_id)))
        except SmsTemplateItem.DoesNotExist:
            return None

    def create(self, template: SmsTemplate) -> None:
        item = SmsTemplateItem(
            self._pk,
            keys.sms_template_sk(template.id),
            title=template.title,
            text=template.text,
            created_at=template.created_at,
        )
        transact([Put(item, condition=must_not_exist())])

    def save(self, before: SmsTemplate, after: SmsTemplate) -> SmsTemplate:
        item = SmsTemplateItem(self._pk, keys.sms_template_sk(before.id), version=before.version)
        actions = [SmsTemplateItem.title.set(after.title), SmsTemplateItem.text.set(after.text)]
        transact([Update(item, actions, condition=must_exist(), on_conflict=StaleVersionError("template"))])
        return replace(after, version=before.version + 1)

    def delete(self, template: SmsTemplate) -> None:
        item = SmsTemplateItem(self._pk, keys.sms_template_sk(template.id), version=template.version)
        transact([Delete(item, condition=must_exist(), on_conflict=StaleVersionError("template"))])


def _to_template(item: SmsTemplateItem) -> SmsTemplate:
    return SmsTemplate(
        id=item.sk.removeprefix(keys.SMS_TEMPLATE),
        title=item.title,
        text=item.text,
        created_at=item.created_at,
        version=item.version or 1,
    )
