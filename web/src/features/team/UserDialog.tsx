/** Add a user (created as invited, emailed a link) or edit one: name, email, extension, group. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { unwrap } from "../../api/client";
import { isApiError } from "../../api/errors";
import { useRights } from "../../app/rights";
import { useApi } from "../../app/session";
import { Field, Form, FormError, useFormErrors } from "../../components/forms";
import { movableGroups, type Group, type User } from "./access";
import { Dialog, SelectField } from "./Dialog";
import { TEAM } from "./hooks";

const FIELDS = ["name", "email", "extension", "group_id"];

export function UserDialog({ user, groups, onClose }: { user?: User | undefined; groups: Group[]; onClose: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const rights = useRights();
  const queryClient = useQueryClient();
  const choices = movableGroups(rights, groups);
  // The user's own group stays listed (an admin member edited by an admin, say).
  const options = user && !choices.some((g) => g.id === user.group_id) ? groups.filter((g) => g.id === user.group_id).concat(choices) : choices;
  const [values, setValues] = useState({
    name: user?.name ?? "",
    email: user?.email ?? "",
    extension: user?.extension ?? "",
    group_id: user?.group_id ?? options.find((g) => g.type === "manager")?.id ?? options[0]?.id ?? "",
  });
  const set = (patch: Partial<typeof values>) => setValues((v) => ({ ...v, ...patch }));

  const save = useMutation({
    mutationFn: () => {
      const body = {
        name: values.name.trim(),
        email: values.email.trim(),
        extension: values.extension.trim() || null,
        group_id: values.group_id || null,
      };
      return user
        ? unwrap(
            api.PATCH("/v1/users/{user_id}", {
              params: { path: { user_id: user.id } },
              body: { ...body, group_id: body.group_id ?? undefined, version: user.version },
            }),
          )
        : unwrap(api.POST("/v1/users", { body }));
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: TEAM });
      onClose();
    },
  });
  const conflict = isApiError(save.error) && save.error.code === "conflict" && !save.error.field;
  const errors = useFormErrors(save.error, FIELDS);
  const title = user ? t("team.form.editTitle", { name: user.name }) : t("team.form.addTitle");

  return (
    <Dialog title={title} onClose={onClose}>
      {!user && <p className="team__hint">{t("team.form.addHint")}</p>}
      <Form error={save.error} label={title} onSubmit={() => save.mutate()}>
        <FormError message={conflict ? t("team.conflict") : errors.form} />
        <Field label={t("team.form.name")} name="name" value={values.name} autoComplete="off"
          onChange={(e) => set({ name: e.target.value })} error={errors.field("name")} />
        <Field label={t("team.form.email")} name="email" type="email" value={values.email} autoComplete="off"
          onChange={(e) => set({ email: e.target.value })} error={errors.field("email")} />
        <Field label={t("team.form.extension")} name="extension" inputMode="numeric" value={values.extension}
          hint={t("team.form.extensionHint")} onChange={(e) => set({ extension: e.target.value })}
          error={errors.field("extension")} />
        <SelectField label={t("team.form.group")} value={values.group_id} onChange={(group_id) => set({ group_id })}
          options={options.map((g) => ({ value: g.id, label: g.title }))} error={errors.field("group_id")} />
        <div className="actions">
          <button type="button" className="button" onClick={onClose}>
            {t("team.cancel")}
          </button>
          <button type="submit" className="button button--primary" disabled={save.isPending}>
            {save.isPending ? t("team.saving") : user ? t("team.form.save") : t("team.form.add")}
          </button>
        </div>
      </Form>
    </Dialog>
  );
}
