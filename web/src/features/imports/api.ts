/**
 * The imports and exports API (API.md "Import / export") through TanStack Query, and the file's
 * upload: straight from the browser to the presigned URL the API gives (S3, or moto's S3 in the
 * local stack, both with CORS), by XMLHttpRequest for its upload progress events.
 */
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";

import { unwrap, type Schemas } from "../../api/client";
import { useApi } from "../../app/session";
import { useRights, type Permission } from "../../app/rights";
import { isActive } from "./mapping";

export type ImportRecord = Schemas["ImportOut"];
export type ExportRecord = Schemas["ExportOut"];
export type Entity = "clients" | "leads";

export const ENTITIES: readonly Entity[] = ["clients", "leads"];
const RIGHT: Record<Entity, Permission> = { clients: "customers_import_export", leads: "leads_import_export" };

export const importKeys = {
  all: ["imports"] as const,
  history: ["imports", "history"] as const,
  one: (id: string) => ["imports", "one", id] as const,
  preview: (id: string) => ["imports", "preview", id] as const,
  export: (id: string) => ["exports", id] as const,
};

/** The entities this user may import and export (the API's `*_import_export` rights). */
export function useImportEntities(): { loaded: boolean; entities: Entity[] } {
  const rights = useRights();
  return { loaded: rights.loaded, entities: ENTITIES.filter((e) => rights.can(RIGHT[e])) };
}

/** One import, polled every second while it runs or is being undone. */
export function useImport(id: string) {
  const api = useApi();
  return useQuery({
    queryKey: importKeys.one(id),
    queryFn: () => unwrap(api.GET("/v1/imports/{import_id}", { params: { path: { import_id: id } } })),
    refetchInterval: (query) => (isActive(query.state.data?.status) ? 1000 : false),
  });
}

export function usePreview(id: string, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: importKeys.preview(id),
    queryFn: () => unwrap(api.GET("/v1/imports/{import_id}/preview", { params: { path: { import_id: id } } })),
    enabled,
    staleTime: Infinity,
    retry: false,
  });
}

/** The history, newest first; polled while one of its imports is running or being undone. */
export function useImportHistory() {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: importKeys.history,
    queryFn: ({ pageParam }) =>
      unwrap(api.GET("/v1/imports", { params: { query: { limit: 25, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: (query) =>
      query.state.data?.pages.some((p) => p.items.some((i) => isActive(i.status))) ? 2000 : false,
  });
}

/** An export, polled until its file is written (or it failed). */
export function useExport(id: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: importKeys.export(id ?? ""),
    queryFn: () => unwrap(api.GET("/v1/exports/{export_id}", { params: { path: { export_id: id ?? "" } } })),
    enabled: id !== null,
    refetchInterval: (query) => (query.state.data?.status === "running" ? 1000 : false),
  });
}

export class UploadError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "UploadError";
  }
}

/**
 * PUT the file to a presigned URL, reporting progress; rejects on a network error or a non-2xx
 * answer (S3's XML error code, when there is one, is the message).
 */
export function uploadFile(
  url: string,
  file: Blob,
  onProgress: (loaded: number, total: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    if (file.type) xhr.setRequestHeader("Content-Type", file.type);
    xhr.upload.addEventListener("progress", (event) => {
      onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(file.size, file.size);
        resolve();
        return;
      }
      const code = /<Code>([^<]+)<\/Code>/.exec(xhr.responseText ?? "")?.[1];
      reject(new UploadError(xhr.status, code ?? `HTTP ${xhr.status}`));
    });
    xhr.addEventListener("error", () => reject(new UploadError(0, "network error")));
    xhr.addEventListener("abort", () => reject(new UploadError(0, "aborted")));
    signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(file);
  });
}
