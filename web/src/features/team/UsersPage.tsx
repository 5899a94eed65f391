/**
 * The team: every user with presence, working-hours status and extension; add, invite, edit,
 * move between groups, deactivate and activate (as the user's rights allow), and call a
 * colleague's extension (an internal call through the PBX: POST /v1/calls with the extension).
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { unwrap } from "../../api/client";
import { useRights } from "../../app/rights";
import { useApi, useMe } from "../../app/session";
import { FormError, useFormErrors } from "../../components/forms";
import { QueryState } from "../../components/QueryState";
import { relativeTime } from "../notifications/time";
import { callOffer, canActivate, canDeactivate, editBlock, movableGroups, type Group, type Me, type User } from "./access";
import { useWebphone } from "../webphone/WebPhone";
import { TEAM, USERS, useAvailability, useGroups, useUsers } from "./hooks";
import { InviteDialog } from "./InviteDialog";
import { TeamHead } from "./TeamHead";
import { UserDialog } from "./UserDialog";
import "./team.css";

type Open = { kind: "add" } | { kind: "invite" } | { kind: "edit"; user: User } | null;

export function UsersPage() {
  const { t } = useTranslation();
  const rights = useRights();
  const me = useMe();
  const users = useUsers();
  const groups = useGroups();
  const [open, setOpen] = useState<Open>(null);
  const [message, setMessage] = useState("");
  const mayAdd = rights.can("team_add");
  const mayEdit = rights.can("team_edit");

  return (
    <div className="team">
      <TeamHead />
      <div className="team__toolbar">
        {rights.loaded && mayAdd && (
          <>
            <button type="button" className="button button--primary" onClick={() => setOpen({ kind: "add" })}>
              {t("team.users.add")}
            </button>
            <button type="button" className="button" onClick={() => setOpen({ kind: "invite" })}>
              {t("team.users.invite")}
            </button>
          </>
        )}
      </div>
      {rights.loaded && !mayAdd && <p className="team__note">{t("team.users.noAddRight")}</p>}
      {rights.loaded && !mayEdit && <p className="team__note">{t("team.users.noEditRight")}</p>}
      {me.data && !me.data.extension && (
        <p className="team__note" id="team-no-extension">
          {t("team.users.noExtension")}
        </p>
      )}
      <p className="team__hint">{t("team.users.callNote")}</p>
      <p role="status" className="team__message">
        {message}
      </p>
      <QueryState query={users}>
        {(list) => (
          <QueryState query={groups}>
            {(groupList) =>
              me.data ? (
                <UsersTable users={list} groups={groupList} me={me.data} onEdit={(user) => setOpen({ kind: "edit", user })}
                  onMessage={setMessage} />
              ) : null
            }
          </QueryState>
        )}
      </QueryState>
      {open?.kind === "add" && groups.data && <UserDialog groups={groups.data} onClose={() => setOpen(null)} />}
      {open?.kind === "edit" && groups.data && (
        <UserDialog user={open.user} groups={groups.data} onClose={() => setOpen(null)} />
      )}
      {open?.kind === "invite" && groups.data && <InviteDialog groups={groups.data} onClose={() => setOpen(null)} />}
    </div>
  );
}

function UsersTable({
  users,
  groups,
  me,
  onEdit,
  onMessage,
}: {
  users: User[];
  groups: Group[];
  me: Me;
  onEdit: (user: User) => void;
  onMessage: (text: string) => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const rights = useRights();
  const queryClient = useQueryClient();
  const groupTitle = (id: string) => groups.find((g) => g.id === id)?.title ?? id;
  // The answer is the user as saved: show it at once, then read the list again.
  const store = (saved: User) =>
    queryClient.setQueryData<User[]>(USERS, (list) => list?.map((u) => (u.id === saved.id ? saved : u)));

  const move = useMutation({
    mutationFn: ({ user, group_id }: { user: User; group_id: string }) =>
      unwrap(api.PATCH("/v1/users/{user_id}", { params: { path: { user_id: user.id } }, body: { group_id, version: user.version } })),
    onSuccess: (user) => {
      store(user);
      onMessage(t("team.users.moved", { name: user.name, group: groupTitle(user.group_id) }));
      void queryClient.invalidateQueries({ queryKey: TEAM });
    },
    onError: () => void queryClient.invalidateQueries({ queryKey: USERS }),
  });
  const toggle = useMutation({
    mutationFn: ({ user, activate }: { user: User; activate: boolean }) =>
      activate
        ? unwrap(api.POST("/v1/users/{user_id}/activate", { params: { path: { user_id: user.id } } }))
        : unwrap(api.POST("/v1/users/{user_id}/deactivate", { params: { path: { user_id: user.id } } })),
    onSuccess: (user, { activate }) => {
      store(user);
      onMessage(t(activate ? "team.users.activated" : "team.users.deactivated", { name: user.name }));
      void queryClient.invalidateQueries({ queryKey: USERS });
    },
  });
  const webphone = useWebphone();
  const call = useMutation({
    mutationFn: (user: User) => unwrap(api.POST("/v1/calls", { body: { to: user.extension } })),
    onSuccess: (dialled, user) => {
      if (dialled.via === "webphone") webphone.dial(dialled.to); // TE-7: the web phone calls the extension
      onMessage(t("team.users.calling", { name: user.name }));
    },
  });
  const error = move.error ?? toggle.error ?? call.error;
  const errors = useFormErrors(error, []);

  return (
    <>
      <FormError message={errors.form} />
      {/* Scrolls sideways on small screens: focusable so the keyboard can scroll it. */}
      <div className="team__scroll" role="region" aria-label={t("team.users.caption")} tabIndex={0}>
        <table className="team-table">
          <caption className="visually-hidden">{t("team.users.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("team.users.name")}</th>
              <th scope="col">{t("team.users.extension")}</th>
              <th scope="col">{t("team.users.group")}</th>
              <th scope="col">{t("team.users.presence")}</th>
              <th scope="col">{t("team.users.hours")}</th>
              <th scope="col">{t("team.users.status")}</th>
              <th scope="col">{t("team.users.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => {
              const blocked = editBlock(rights, groups, user);
              const offer = callOffer(me, user);
              return (
                <tr key={user.id}>
                  <th scope="row">
                    <span className="team__name">
                      {user.name} {user.id === me.id && <span className="team__you">{t("team.users.you")}</span>}
                    </span>
                    <span className="team__email">{user.email}</span>
                  </th>
                  <td>{user.extension ?? t("team.none")}</td>
                  <td>
                    {blocked === null ? (
                      <GroupSelect user={user} groups={groups} disabled={move.isPending}
                        onMove={(group_id) => move.mutate({ user, group_id })} />
                    ) : (
                      groupTitle(user.group_id)
                    )}
                  </td>
                  <td>
                    <Presence user={user} />
                  </td>
                  <td>
                    <WorkingNow user={user} />
                  </td>
                  <td>{t(`team.users.statusValue.${user.status as "active" | "invited" | "deactivated"}`, user.status)}</td>
                  <td>
                    <div className="team__actions">
                      {offer === "ok" && (
                        <button type="button" className="button" disabled={call.isPending} onClick={() => call.mutate(user)}
                          aria-label={t("team.users.callOne", { name: user.name, extension: user.extension })}>
                          {t("team.users.call")}
                        </button>
                      )}
                      {offer === "team.users.noExtension" && (
                        <button type="button" className="button" disabled
                          aria-label={t("team.users.callOne", { name: user.name, extension: user.extension })}
                          aria-describedby="team-no-extension">
                          {t("team.users.call")}
                        </button>
                      )}
                      {blocked === null && (
                        <button type="button" className="button" onClick={() => onEdit(user)}
                          aria-label={t("team.users.editOne", { name: user.name })}>
                          {t("team.users.edit")}
                        </button>
                      )}
                      {canDeactivate(rights, groups, me, user) && (
                        <button type="button" className="button" disabled={toggle.isPending}
                          aria-label={t("team.users.deactivateOne", { name: user.name })}
                          onClick={() => {
                            if (window.confirm(t("team.users.confirmDeactivate", { name: user.name }))) {
                              toggle.mutate({ user, activate: false });
                            }
                          }}>
                          {t("team.users.deactivate")}
                        </button>
                      )}
                      {canActivate(rights, groups, user) && (
                        <button type="button" className="button" disabled={toggle.isPending}
                          aria-label={t("team.users.activateOne", { name: user.name })}
                          onClick={() => toggle.mutate({ user, activate: true })}>
                          {t("team.users.activate")}
                        </button>
                      )}
                      {blocked === "team.users.adminOnly" && <span className="team__reason">{t(blocked)}</span>}
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

function GroupSelect({ user, groups, disabled, onMove }: { user: User; groups: Group[]; disabled: boolean; onMove: (id: string) => void }) {
  const { t } = useTranslation();
  const rights = useRights();
  const choices = movableGroups(rights, groups);
  const options = choices.some((g) => g.id === user.group_id) ? choices : groups.filter((g) => g.id === user.group_id).concat(choices);
  return (
    <select aria-label={t("team.users.moveOne", { name: user.name })} value={user.group_id} disabled={disabled}
      onChange={(e) => onMove(e.target.value)}>
      {options.map((g) => (
        <option key={g.id} value={g.id}>
          {g.title}
        </option>
      ))}
    </select>
  );
}

function Presence({ user }: { user: User }) {
  const { t, i18n } = useTranslation();
  return (
    <span className={user.online ? "presence presence--online" : "presence"}>
      <span className="presence__dot" aria-hidden="true" />
      {user.online ? t("team.users.online") : t("team.users.offline")}
      {!user.online && (
        <span className="team__email">
          {user.last_seen_at ? t("team.users.lastSeen", { when: relativeTime(user.last_seen_at, i18n.language) }) : t("team.users.never")}
        </span>
      )}
    </span>
  );
}

function WorkingNow({ user }: { user: User }) {
  const { t } = useTranslation();
  const availability = useAvailability(user);
  if (user.working_hours == null) return <>{t("team.users.noSchedule")}</>;
  if (!availability.data) return <>{t("team.none")}</>;
  if (!availability.data.has_schedule) return <>{t("team.users.noSchedule")}</>;
  return <>{availability.data.working ? t("team.users.working") : t("team.users.notWorking")}</>;
}
