// The knowledge base's plain-language names for the ids the API returns,
// in the words of the person's region (GET /v1/vocabulary?region=), from
// the server that also triages, so the page always names things as the
// rules it shows were written and as the person's region says them.
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

const defaultRegionOf = (v: api.Vocabulary): string =>
  v.regions?.regions.find((r) => r.default)?.id ?? "";
// The region whose words `vocab` holds (the inline block is the default
// region's); null before anything is loaded.
let wordsOf: string | null = inlined ? defaultRegionOf(inlined) : null;
let loading: Promise<void> | null = null;
let loadingFor: string | null = null;

// Resolves once `vocab` holds the words of `region` ("": the default
// region); asks the server only when it holds another region's. A failed
// load is tried again next call; a load overtaken by one for another
// region does not overwrite it.
export function loadVocabulary(region = ""): Promise<void> {
  const want = region || (wordsOf === null ? "" : defaultRegionOf(vocab));
  if (wordsOf !== null && wordsOf === want) return Promise.resolve();
  if (loading && loadingFor === want) return loading;
  loadingFor = want;
  const p: Promise<void> = api.getVocabulary(want || undefined).then(
    (v) => {
      if (loadingFor !== want) return;
      Object.assign(vocab, v);
      wordsOf = want || defaultRegionOf(v);
      loading = null;
    },
    (err: unknown) => {
      if (loading === p) loading = null;
      throw err;
    });
  loading = p;
  return p;
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

export const notePrompts = (): { id: string; words: string[]; findings: string[] }[] =>
  vocab.diary?.note_prompts ?? [];
