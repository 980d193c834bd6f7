// The HTTP API of `backaid serve` (src/api/openapi.json), as the page uses
// it. Every clinical decision (branching, triage, plan) is the server's.

export type Level = "emergency" | "urgent" | "routine" | "self_care";
// A region id of the knowledge base (knowledge/regions.yaml), as listed in
// the vocabulary's regions.
export type Region = string;
export type AnswerValue = string | number | string[];
export type Answers = Record<string, AnswerValue>;
export type Findings = Record<string, string | number | boolean | null>;

export interface QuestionOption { id: string; label: string; role: "answer" | "none" | "unsure" }
export interface Question {
  id: string;
  section: string;
  section_title: string;
  text: string;
  help: string;
  kind: "single" | "checklist" | "number";
  options: QuestionOption[];
  min?: number;
  max?: number;
  unit?: string;
  // The screen it is shown on (questions.yaml `screen`); "" when alone.
  screen?: string;
}
export interface Questionnaire { kb_version: string; questions: Question[] }

export interface Explanation { rule: string; level: Level; reason: string; sources: string[]; because: string[] }
export interface TriageResult {
  id: string;
  triage: Level;
  conditions: string[];
  red_flags: string[];
  not_assessed: string[];
  see?: string[];
  explanation?: Explanation[];
  kb_version?: string;
}
export interface PlanItem {
  id: string;
  section: string;
  variant: "advice" | "caution" | "check_first" | "not_for_you";
  title: string;
  text: string;
  steps: string[];
  sources: string[];
  conflict?: string;
  decision?: string;
  concerns?: string[];
  // What a front does with it besides showing it (plan.yaml `role`).
  role?: string;
}
export interface PlanActivity {
  id: string;
  title: string;
  description: string;
  start_minute: number;
  duration_minutes: number;
  every_minutes: number;
  until_minute: number;
  waking_hours_only: boolean;
  alarm_minutes_before: number;
  sources: string[];
}
// A section's heading and how a result shows it (plan.yaml `sections`, in
// reading order): `open` = not folded; `timetable` = the timetable follows it.
export interface PlanSection { id: string; title: string; rest_title: string; open: boolean; timetable: boolean }
export interface Plan {
  level: Level;
  kb_version: string;
  sections: PlanSection[];
  items: PlanItem[];
  activities: PlanActivity[];
}
export interface PainTrend {
  points: { at: string; pain: number }[];
  meaningful_change: number;
  direction: "unknown" | "better" | "same" | "worse";
  first?: number | null;
  last?: number | null;
  lowest?: number | null;
  highest?: number | null;
}
export interface Review {
  level: Level;
  previous_level: Level;
  escalated: boolean;
  triage: TriageResult;
  // The core's first steps (WhatToDoNow), as an assessment gives them.
  what_to_do_now: NowStep[];
  // At emergency, what to tell the call handler, filled in by the server.
  call_script?: CallScript | null;
  derived: string[];
  pain_trend: PainTrend;
  plan: Plan;
}
export interface EpisodeCreated {
  id: string;
  token: string;
  created_at: string;
  time_zone: string;
  region: Region;
  emergency_number: string;
  review: Review;
}
export interface Assessment {
  finished: boolean;
  // The most urgent next question (for clients without screens).
  next_question: Question | null;
  // The questions to show together now, in order; [] when finished.
  next_screen?: Question[];
  // answered/about count questions; screens_* count screens ("Step N of
  // about M").
  progress: { answered: number; about: number; screens_answered?: number; screens_about?: number };
  answers: Answers;
  findings: Findings;
  triage: TriageResult;
  plan: Plan;
  emergency_number: string;
  // What the result leads with (at most three, in order; the server's
  // choice, as `backaid assess` shows it).
  what_to_do_now?: NowStep[];
  // At emergency, what to tell the call handler (the knowledge base's
  // script filled in for this person by the server; null otherwise).
  call_script?: CallScript | null;
  episode?: EpisodeCreated;
}
// One of the at most three things to do now (WhatToDoNow, the server's
// choice). role "emergency_call": the region's call, which the call screen
// shows on its own.
export interface NowStep { id: string; title: string; text: string; sources?: string[]; role?: string }
export interface CallScript { id: string; title: string; lines: string[] }
export interface Entry { seq: number; at: string; pain: number | null; done: string[]; findings: Findings; note?: string }
export interface Episode {
  id: string;
  created_at: string;
  time_zone: string;
  region: Region;
  emergency_number: string;
  initial: { answers: Answers; findings: Findings; triage: TriageResult };
  entries: Entry[];
  review: Review;
}
export interface EntryAdded { entry: Entry; review: Review }

// The knowledge base's names for the ids above (GET /v1/vocabulary).
export interface Vocabulary {
  kb_version: string;
  levels: Record<string, string>;
  services: Record<string, string>;
  conditions: Record<string, string>;
  sources: Record<string, string>;
  findings: Record<string, { meaning: string; red_flag: boolean; normal?: boolean | string | number }>;
  asks?: Record<string, string[]>;  // question id -> the findings it asks
  regions: {
    regions: { id: string; name: string; emergency_number: string; default: boolean; countries: string[] }[];
    headlines: Record<string, string>;  // "{number}": the emergency number
    emergency_advice: string;
    before_you_start: string;
    // What to tell the call handler, unfilled ("{signs}", "{number}"; a
    // line's `when`, `known`, `unknown`): the page shows the server's
    // filled-in `call_script` instead.
    emergency_call_script?: { id: string; title: string; lines: { text: string; when?: string; known?: string; unknown?: string }[] } | null;
  } | null;
  diary: {
    activities: { id: string; label: string }[];
    meaningful_change: number;
    red_flag_options: RedFlagOption[];
    note_prompts?: { id: string; words: string[]; findings: string[] }[];
  } | null;
}

// A warning sign the diary can record (an assessment option): `help` is its
// question's help; `not_for_sex`: the sexes whose answer rules it out.
export interface RedFlagOption {
  id: string; label: string; group?: string; sets: Findings; help?: string; not_for_sex?: string[];
}

export class ApiError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

async function call(method: string, path: string, opts: {
  body?: unknown; token?: string; idempotent?: boolean; accept?: string;
} = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: opts.accept ?? "application/json" };
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  if (opts.token) headers["Authorization"] = `Bearer ${opts.token}`;
  // A retried write (flaky mobile network) is then applied once only.
  if (opts.idempotent) headers["Idempotency-Key"] = randomKey();
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    throw new ApiError(0, "The server cannot be reached. Check your connection and try again.");
  }
  if (!res.ok) {
    let detail = `${res.status} ${res.statusText}`;
    try {
      const p = await res.json();
      if (p && typeof p.title === "string") detail = p.detail ? `${p.title}: ${p.detail}` : p.title;
    } catch { /* not problem+json */ }
    throw new ApiError(res.status, detail);
  }
  return res;
}

function randomKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

export function timeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

export async function getQuestionnaire(): Promise<Questionnaire> {
  return (await call("GET", "/v1/questionnaire")).json();
}

// The vocabulary in the words of `region` (the regional terms of service
// names, questions and diary labels).
export async function getVocabulary(region?: Region): Promise<Vocabulary> {
  const q = region ? `?region=${encodeURIComponent(region)}` : "";
  return (await call("GET", `/v1/vocabulary${q}`)).json();
}

export async function assess(answers: Answers, region: Region): Promise<Assessment> {
  return (await call("POST", "/v1/assessments", { body: { answers, region } })).json();
}

export async function openEpisode(answers: Answers, region: Region): Promise<EpisodeCreated> {
  return (await call("POST", "/v1/episodes", {
    body: { answers, region, time_zone: timeZone() }, idempotent: true,
  })).json();
}

export async function getEpisode(id: string, token: string): Promise<Episode> {
  return (await call("GET", `/v1/episodes/${encodeURIComponent(id)}`, { token })).json();
}

export async function addEntry(id: string, token: string, entry: {
  pain?: number; done?: string[]; findings?: Findings; note?: string;
}): Promise<EntryAdded> {
  return (await call("POST", `/v1/episodes/${encodeURIComponent(id)}/entries`, {
    body: entry, token, idempotent: true,
  })).json();
}

export async function getBlob(id: string, token: string, what: "plan.ics" | "export" | "summary.pdf"): Promise<Blob> {
  const accept = what === "plan.ics" ? "text/calendar" : what === "export" ? "application/json" : "application/pdf";
  return (await call("GET", `/v1/episodes/${encodeURIComponent(id)}/${what}`, { token, accept })).blob();
}

export async function eraseEpisode(id: string, token: string): Promise<void> {
  await call("DELETE", `/v1/episodes/${encodeURIComponent(id)}`, { token });
}
