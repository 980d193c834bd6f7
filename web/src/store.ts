// What the page keeps in the browser. The episode token is kept only here
// (localStorage, this origin): never in a URL, never sent anywhere but the
// Authorization header of this server's own API.
import type { Answers, Assessment, Region } from "./api";
import { regions } from "./vocab";

const REGION = "backaid.region";
const EPISODE = "backaid.episode";
const SESSION = "backaid.session";
const TIMERS = "backaid.timers";

export interface StoredEpisode {
  id: string;
  token: string;
  created_at: string;
  region: Region;
  answers?: string;  // JSON of the answers it was opened with
}
export interface Session {
  answers: Answers;
  order: string[];             // question ids in the order answered (for Back)
  screens?: number[];          // where each answered screen ends in `order`
  last: Assessment | null;     // the latest server answer
}

function read<T>(storage: Storage, key: string): T | null {
  try {
    const s = storage.getItem(key);
    return s ? (JSON.parse(s) as T) : null;
  } catch {
    return null;
  }
}
function write(storage: Storage, key: string, v: unknown): void {
  try {
    if (v === null) storage.removeItem(key);
    else storage.setItem(key, JSON.stringify(v));
  } catch { /* private mode: the page still works for this visit */ }
}

// The stored region if the knowledge base has it; else the region whose
// countries include the browser language's country; else the default.
export function region(): Region {
  const all = regions();
  const r = read<Region>(localStorage, REGION);
  if (r !== null && all.some((x) => x.id === r)) return r;
  const parts = (navigator.language || "").split("-");
  const country = parts.length > 1 ? (parts.pop() ?? "").toUpperCase() : "";
  const byCountry = country ? all.find((x) => x.countries.includes(country)) : undefined;
  return (byCountry ?? all.find((x) => x.default) ?? all[0])?.id ?? "";
}
export function setRegion(r: Region): void { write(localStorage, REGION, r); }

export function episode(): StoredEpisode | null { return read<StoredEpisode>(localStorage, EPISODE); }
export function setEpisode(e: StoredEpisode | null): void { write(localStorage, EPISODE, e); }

export function session(): Session {
  return read<Session>(sessionStorage, SESSION) ?? { answers: {}, order: [], last: null };
}
export function setSession(s: Session | null): void { write(sessionStorage, SESSION, s); }

export type TimerState = Record<string, number>;  // activity id -> end time (ms)
export function timers(): TimerState { return read<TimerState>(localStorage, TIMERS) ?? {}; }
export function setTimers(t: TimerState): void { write(localStorage, TIMERS, Object.keys(t).length ? t : null); }

export function forgetEverything(): void {
  for (const k of [EPISODE, TIMERS]) write(localStorage, k, null);
  write(sessionStorage, SESSION, null);
}
