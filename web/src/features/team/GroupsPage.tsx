/**
 * Groups and the 13-right matrix: rows are groups, columns the rights (admin groups hold them
 * all). Administrators tick rights and save each group (only the changed flags are sent), create,
 * rename custom groups and delete empty ones; everyone else sees the matrix read-only.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { unwrap } from "../../api/client";
import { useRights } from "../../app/rights";
import { useApi } from "../../app/session";
import { Field, Form, FormError, useFormErrors } from "../../components/forms";
import { QueryState } from "../../components/QueryState";
import { PERMISSIONS, changedRights, deleteBlock, type Group, type User } from "./access";
import { Dialog } from "./Dialog";
import { GROUPS, TEAM, useGroups, useUsers } from "./hooks";
import { TeamHead } from "./TeamHead";
import "./team.css";

type Drafts = Record<string, Record<string, boolean>>;

export function GroupsPage() {
  const { t } = useTranslation();
  const rights = useRights();
  const groups = useGroups();
  const users = useUsers();
  const [naming, setNaming] = useState<Group | "new" | null>(null);
  const [message, setMessage] = useState("");

  return (
    <div className="team">
      <TeamHead />
      <div className="team__toolbar">
        {rights.isAdmin && (
          <button type="button" className="button button--primary" onClick={() => setNaming("new")}>
            {t("team.groups.create")}
          </button>
        )}
      </div>
      {rights.loaded && !rights.isAdmin && <p className="team__note">{t("team.groups.readOnly")}</p>}
      <p className="team__hint">{t("team.groups.adminHolds")}</p>
      <p role="status" className="team__message">
        {message}
      </p>
      <QueryState query={groups}>
        {(list) => (
          <Matrix groups={list} users={users.data} editable={rights.isAdmin} onRename={setNaming} onMessage={setMessage} />
        )}
      </QueryState>
      {naming && <GroupTitleDialog group={naming === "new" ? undefined : naming} onClose={() => setNaming(null)} />}
    </div>
  );
}

function Matrix({
  groups,
  users,
  editable,
  onRename,
  onMessage,
}: {
  groups: Group[];
  users: User[] | undefined;
  editable: boolean;
  onRename: (group: Group) => void;
  onMessage: (text: string) => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const [drafts, setDrafts] = useState<Drafts>({});
  const flagsOf = (g: Group) => drafts[g.id] ?? g.permissions;
  const members = (g: Group) => users?.filter((u) => u.group_id === g.id).length;

  const save = useMutation({
    mutationFn: (group: Group) =>
      unwrap(
        api.PATCH("/v1/groups/{group_id}", {
          params: { path: { group_id: group.id } },
          body: { permissions: changedRights(group.permissions, flagsOf(group)), version: group.version },
        }),
      ),
    onSuccess: (group) => {
      setDrafts(({ [group.id]: _, ...rest }) => rest);
      onMessage(t("team.groups.saved", { group: group.title }));
      void queryClient.invalidateQueries({ queryKey: GROUPS });
    },
  });
  const remove = useMutation({
    mutationFn: (group: Group) => unwrap(api.DELETE("/v1/groups/{group_id}", { params: { path: { group_id: group.id } } })),
    onSuccess: (_, group) => {
      onMessage(t("team.groups.deleted", { group: group.title }));
      void queryClient.invalidateQueries({ queryKey: TEAM });
    },
  });
  const error = save.error ?? remove.error;
  const errors = useFormErrors(error, []);

  return (
    <>
      <FormError message={errors.form} />
      {/* Scrolls sideways on small screens: focusable so the keyboard can scroll it. */}
      <div className="team__scroll" role="region" aria-label={t("team.groups.caption")} tabIndex={0}>
        <table className="team-table matrix">
          <caption className="visually-hidden">{t("team.groups.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("team.groups.group")}</th>
              <th scope="col">{t("team.groups.members")}</th>
              {PERMISSIONS.map((right) => (
                <th scope="col" key={right} className="matrix__right">
                  <span>{t(`team.rights.${right}`)}</span>
                </th>
              ))}
              {editable && <th scope="col">{t("team.groups.actions")}</th>}
            </tr>
          </thead>
          <tbody>
            {groups.map((group) => {
              const flags = flagsOf(group);
              const admin = group.type === "admin";
              const dirty = Object.keys(changedRights(group.permissions, flags)).length > 0;
              const count = members(group);
              const blocked = count === undefined ? null : deleteBlock(group, count);
              return (
                <tr key={group.id} className={dirty ? "matrix__dirty" : undefined}>
                  <th scope="row">
                    {group.title}
                    <span className="team__email">
                      {t(`team.groups.type.${group.type as "admin" | "manager" | "chat_operator" | "trainee" | "custom"}`, group.type)}
                      {dirty && ` · ${t("team.groups.unsaved")}`}
                    </span>
                  </th>
                  <td>{count ?? t("team.none")}</td>
                  {PERMISSIONS.map((right) => (
                    <td key={right} className="matrix__cell">
                      <input
                        type="checkbox"
                        aria-label={t("team.groups.right", { right: t(`team.rights.${right}`), group: group.title })}
                        checked={admin || flags[right] === true}
                        disabled={!editable || admin || save.isPending}
                        onChange={(e) =>
                          setDrafts((d) => ({ ...d, [group.id]: { ...flags, [right]: e.target.checked } }))
                        }
                      />
                    </td>
                  ))}
                  {editable && (
                    <td>
                      <div className="team__actions">
                        {dirty && (
                          <>
                            <button type="button" className="button button--primary" disabled={save.isPending}
                              aria-label={t("team.groups.saveOne", { group: group.title })} onClick={() => save.mutate(group)}>
                              {t("team.groups.save")}
                            </button>
                            <button type="button" className="button" aria-label={t("team.groups.resetOne", { group: group.title })}
                              onClick={() => setDrafts(({ [group.id]: _, ...rest }) => rest)}>
                              {t("team.groups.reset")}
                            </button>
                          </>
                        )}
                        {group.type === "custom" && (
                          <button type="button" className="button" aria-label={t("team.groups.renameOne", { group: group.title })}
                            onClick={() => onRename(group)}>
                            {t("team.groups.rename")}
                          </button>
                        )}
                        {blocked === null ? (
                          <button type="button" className="button" disabled={remove.isPending}
                            aria-label={t("team.groups.deleteOne", { group: group.title })}
                            onClick={() => {
                              if (window.confirm(t("team.groups.confirmDelete", { group: group.title }))) remove.mutate(group);
                            }}>
                            {t("team.groups.delete")}
                          </button>
                        ) : (
                          !admin && <span className="team__reason">{t(blocked)}</span>
                        )}
                      </div>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** Create a custom group (its rights are then ticked in the matrix) or rename one. */
function GroupTitleDialog({ group, onClose }: { group?: Group | undefined; onClose: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const [title, setTitle] = useState(group?.title ?? "");
  const save = useMutation({
    mutationFn: () =>
      group
        ? unwrap(api.PATCH("/v1/groups/{group_id}", { params: { path: { group_id: group.id } }, body: { title: title.trim(), version: group.version } }))
        : unwrap(api.POST("/v1/groups", { body: { title: title.trim() } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: GROUPS });
      onClose();
    },
  });
  const errors = useFormErrors(save.error, ["title"]);
  const heading = group ? t("team.groups.renameTitle", { group: group.title }) : t("team.groups.createTitle");
  return (
    <Dialog title={heading} onClose={onClose}>
      <Form error={save.error} label={heading} onSubmit={() => save.mutate()}>
        <FormError message={errors.form} />
        <Field label={t("team.groups.title")} name="title" value={title} onChange={(e) => setTitle(e.target.value)}
          error={errors.field("title")} hint={t("team.groups.titleHint")} autoComplete="off" />
        <div className="actions">
          <button type="button" className="button" onClick={onClose}>
            {t("team.cancel")}
          </button>
          <button type="submit" className="button button--primary" disabled={save.isPending}>
            {save.isPending ? t("team.saving") : group ? t("team.form.save") : t("team.groups.createSubmit")}
          </button>
        </div>
      </Form>
    </Dialog>
  );
}
