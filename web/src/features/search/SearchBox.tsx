/**
 * Universal search in the shell's header (`GET /v1/search?q=`): an ARIA combobox whose list
 * groups the hits by kind (clients, leads, deals, people). Typing searches after a short pause;
 * the arrows move through the hits, Enter opens one, Escape closes; "/" or Ctrl+K focuses it.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";

import { unwrap, type Schemas } from "../../api/client";
import { useApi } from "../../app/session";
import { comboKey, isTyping } from "./keys";
import { recordPath } from "./records";
import "./search.css";

type Hit = Schemas["HitOut"];
const KINDS = ["client", "lead", "deal", "user"] as const;
type Kind = (typeof KINDS)[number];
export const DEBOUNCE_MS = 250;
const MIN_LENGTH = 2;

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

interface Option {
  hit: Hit;
  index: number;
  path: string | undefined;
}

/** The hits grouped by kind in a fixed order, each with its index in the flat list. */
export function groupHits(hits: readonly Hit[]): { kind: Kind; options: Option[] }[] {
  let index = 0;
  return KINDS.map((kind) => ({
    kind,
    options: hits.filter((hit) => hit.type === kind).map((hit) => ({ hit, index: 0, path: recordPath(hit.type, hit.id) })),
  }))
    .filter((group) => group.options.length > 0)
    .map((group) => ({ ...group, options: group.options.map((option) => ({ ...option, index: index++ })) }));
}

export function SearchBox() {
  const { t } = useTranslation();
  const api = useApi();
  const navigate = useNavigate();
  const [text, setText] = useState("");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const input = useRef<HTMLInputElement>(null);
  const id = useId();
  const listboxId = `${id}-list`;
  const hintId = `${id}-hint`;

  const q = useDebounced(text.trim(), DEBOUNCE_MS);
  const search = useQuery({
    queryKey: ["search", q],
    queryFn: () => unwrap(api.GET("/v1/search", { params: { query: { q } } })),
    enabled: q.length >= MIN_LENGTH,
    placeholderData: keepPreviousData,
  });
  const hits = useMemo(() => (q.length >= MIN_LENGTH ? (search.data?.items ?? []) : []), [q, search.data]);
  const groups = useMemo(() => groupHits(hits), [hits]);
  const options = groups.flatMap((group) => group.options);
  const showing = open && text.trim().length >= MIN_LENGTH;
  const settled = q === text.trim() && !search.isFetching;

  // New hits: no option is active until the arrows choose one.
  useEffect(() => setActive(-1), [hits]);

  // "/" (outside a text field) or Ctrl+K / Cmd+K: to the search box.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const slash = event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !isTyping(event.target);
      const ctrlK = (event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k";
      if (slash || ctrlK) {
        event.preventDefault();
        input.current?.focus();
        input.current?.select();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  const choose = (option: Option | undefined) => {
    if (!option?.path) return;
    setOpen(false);
    setActive(-1);
    void navigate(option.path);
  };

  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>) => {
    const result = comboKey(event.key, { open: showing, active, count: options.length });
    if (result.handled) {
      event.preventDefault();
      if (event.key === "Escape") event.stopPropagation();
    }
    if (result.clear) setText("");
    setOpen(result.open);
    setActive(result.active);
    if (result.choose !== undefined) choose(options[result.choose]);
  };

  let status = "";
  if (showing) {
    if (!settled && hits.length === 0) status = t("search.searching");
    else if (search.isError) status = t("search.failed");
    else if (settled && hits.length === 0) status = t("search.none", { q: text.trim() });
    else if (settled) status = t("search.count", { count: hits.length });
  } else if (open && text.trim().length > 0) {
    status = t("search.tooShort");
  }

  return (
    <div className="search" role="search">
      <label htmlFor={id} className="visually-hidden">
        {t("search.label")}
      </label>
      <input
        ref={input}
        id={id}
        type="search"
        className="search__input"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={showing && options.length > 0}
        aria-controls={listboxId}
        aria-activedescendant={showing && active >= 0 ? `${listboxId}-${active}` : undefined}
        aria-describedby={hintId}
        aria-keyshortcuts="/ Control+K"
        autoComplete="off"
        spellCheck={false}
        placeholder={t("search.placeholder")}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      <span id={hintId} className="visually-hidden">
        {t("search.shortcut")}
      </span>
      <div className="search__popup" hidden={!showing && !status}>
        <p role="status" className={options.length > 0 && showing ? "visually-hidden" : "search__status"}>
          {status}
        </p>
        <div
          id={listboxId}
          role="listbox"
          aria-label={t("search.results")}
          className="search__list"
          hidden={!showing || options.length === 0}
        >
          {groups.map((group) => (
            <div key={group.kind} role="group" aria-label={t(`search.groups.${group.kind}`)}>
              <div className="search__group" aria-hidden="true">
                {t(`search.groups.${group.kind}`)}
              </div>
              {group.options.map((option) => (
                <div
                  key={`${option.hit.type}-${option.hit.id}`}
                  id={`${listboxId}-${option.index}`}
                  role="option"
                  aria-selected={option.index === active}
                  aria-disabled={option.path ? undefined : true}
                  className={option.index === active ? "search__option search__option--active" : "search__option"}
                  // Keep the focus in the box: a click must not blur it before it counts.
                  onMouseDown={(event) => event.preventDefault()}
                  onMouseMove={() => setActive(option.index)}
                  onClick={() => choose(option)}
                >
                  <span className="search__title">{option.hit.title}</span>
                  {option.hit.subtitle && (
                    <>
                      {" "}
                      <span className="search__subtitle">{option.hit.subtitle}</span>
                    </>
                  )}
                </div>
              ))}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
