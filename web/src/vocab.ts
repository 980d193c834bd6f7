// The knowledge base's plain-language names for the ids the API returns,
// fetched once from the server that also triages (GET /v1/vocabulary), so
// the page always names things as the rules it shows were written.
import * as api from "./api";

export const vocab: api.Vocabulary = {
  kb_version: "",
  levels: {},
  services: {},
  conditions: {},
  sources: {},
  findings: {},
  diary: null,
};

let loading: Promise<void> | null = null;

// Resolves once `vocab` is filled; a failed load is tried again next call.
export function loadVocabulary(): Promise<void> {
  loading ??= api.getVocabulary().then(
    (v) => { Object.assign(vocab, v); },
    (err: unknown) => { loading = null; throw err; });
  return loading;
}

export const activities = (): { id: string; label: string }[] => vocab.diary?.activities ?? [];
export const redFlagOptions = (): { id: string; label: string; sets: api.Findings }[] =>
  vocab.diary?.red_flag_options ?? [];
