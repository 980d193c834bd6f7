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
  asks: {},
  regions: null,
  diary: null,
};

// The server writes its vocabulary into index.html (a JSON data block), so
// the regions and their emergency numbers are there before any request.
function inline(): api.Vocabulary | null {
  const el = typeof document === "undefined" ? null : document.getElementById("backaid-vocabulary");
  if (!el?.textContent) return null;
  try {
    return JSON.parse(el.textContent) as api.Vocabulary;
  } catch {
    return null;
  }
}
const inlined = inline();
if (inlined) Object.assign(vocab, inlined);

let loading: Promise<void> | null = null;

// Resolves once `vocab` is filled; a failed load is tried again next call.
export function loadVocabulary(): Promise<void> {
  loading ??= inlined ? Promise.resolve() : api.getVocabulary().then(
    (v) => { Object.assign(vocab, v); },
    (err: unknown) => { loading = null; throw err; });
  return loading;
}

// The knowledge base's regions; the default one first if none is stored.
export const regions = (): NonNullable<api.Vocabulary["regions"]>["regions"] =>
  vocab.regions?.regions ?? [];
// The region's emergency number; "the emergency number" (words) when the
// vocabulary has not been loaded.
export function emergencyNumber(region: string): string {
  const all = regions();
  const r = all.find((x) => x.id === region) ?? all.find((x) => x.default);
  return r?.emergency_number ?? "the emergency number";
}
const withNumber = (text: string, n: string): string => text.split("{number}").join(n);
export const levelHeadline = (level: string, n: string): string =>
  withNumber(vocab.regions?.headlines[level] ?? level.replace(/_/g, " "), n);
export const beforeYouStart = (n: string): string => withNumber(vocab.regions?.before_you_start ?? "", n);

export const activities = (): { id: string; label: string }[] => vocab.diary?.activities ?? [];
// The diary's red-flag options for a person of sex `sex` (as the assessment
// recorded it): an option the sex answer rules out (pregnancy signs for a
// man) is left out; an unknown sex keeps every option.
export const redFlagOptions = (sex?: unknown): api.RedFlagOption[] =>
  (vocab.diary?.red_flag_options ?? []).filter((o) =>
    typeof sex !== "string" || !(o.not_for_sex ?? []).includes(sex));

// What to tell the call handler, from the knowledge base (regions.yaml
// emergency_call_script): "{signs}" is the warning signs reported (or the
// reasons of the emergency rules when none was), "{number}" the number; a
// line with `when` only when that finding is yes in `findings`.
export function callScript(signs: string[], findings: api.Findings, n: string): { title: string; lines: string[] } | null {
  const cs = vocab.regions?.emergency_call_script;
  if (!cs) return null;
  const list = signs.join("; ");
  return {
    title: cs.title,
    lines: cs.lines.filter((l) => !l.when || findings[l.when] === true)
      .map((l) => withNumber(l.text, n).split("{signs}").join(list)),
  };
}
export const notePrompts = (): { id: string; words: string[]; findings: string[] }[] =>
  vocab.diary?.note_prompts ?? [];
