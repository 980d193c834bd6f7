// One question of a screen, as its own block: a fieldset with a legend
// (choices and the 0-10 scale) or a label (other numbers), its own help,
// its own "I'm not sure" (numbers) and its own error message, linked to
// the inputs with aria-describedby. The screen (questions.ts) puts several
// of these in one form and validates them together.
import type * as api from "./api";
import { painScale } from "./painscale";
import { h, nextId } from "./dom";

export type FieldValue = { value: api.AnswerValue } | { error: string };

export interface Field {
  q: api.Question;
  el: HTMLElement;          // the block (data-question = the question id)
  title: HTMLElement;       // the legend or label (focused on a new screen)
  read(): FieldValue;       // the answer, or what is missing
  showError(msg: string | null): void;
  focus(): void;            // the first input (after a failed submit)
}

export interface FieldOptions {
  // Called by "I'm not sure" when the question is alone on its screen: the
  // answer is complete, so the screen is sent at once (as before screens).
  submitIfAlone: (() => void) | null;
}

const isScale = (q: api.Question): boolean =>
  q.kind === "number" && q.min === 0 && q.max === 10 && !q.unit;

// "I'm not sure" for a number question: a toggle (aria-pressed) that a
// number chosen or typed afterwards switches off again.
function unsureToggle(titleId: string, onPress: () => void, opts: FieldOptions) {
  let pressed = false;
  const btn = h("button", {
    type: "button", class: "secondary unsure-toggle", "data-testid": "not-sure",
    "aria-pressed": "false", "aria-describedby": titleId,
  }, "I'm not sure");
  const set = (on: boolean) => {
    pressed = on;
    btn.setAttribute("aria-pressed", String(on));
  };
  btn.addEventListener("click", () => {
    set(!pressed);
    if (pressed) {
      onPress();
      opts.submitIfAlone?.();
    }
  });
  return { btn, pressed: () => pressed, set };
}

export function questionField(q: api.Question, prefill: api.AnswerValue | undefined,
                              opts: FieldOptions): Field {
  const errId = nextId("err");
  const titleId = nextId("q");
  const err = h("p", { id: errId, class: "field-error", hidden: true });
  let body: HTMLElement;
  let title: HTMLElement;
  let read: () => FieldValue;
  let focusFirst: () => void;
  let invalid: (on: boolean) => void;

  if (isScale(q)) {
    // A 0-10 scale: eleven radios (painscale.ts), none chosen at first.
    const scale = painScale(q.text, "pain-scale");
    title = scale.el.querySelector("legend")!;
    title.id = titleId;
    title.classList.add("q-text");
    scale.el.setAttribute("aria-describedby", errId);
    const unsure = unsureToggle(titleId, () => scale.set(null), opts);
    scale.set(typeof prefill === "number" ? prefill : null);
    unsure.set(prefill === "unsure");
    scale.el.addEventListener("change", () => unsure.set(false));
    body = h("div", { class: "number-q" }, scale.el, err, unsure.btn);
    read = () => {
      if (unsure.pressed()) return { value: "unsure" };
      const v = scale.value();
      return v === null ? { error: `Choose a number from 0 to 10, or "I'm not sure".` } : { value: v };
    };
    focusFirst = () => scale.el.querySelector<HTMLElement>("input")?.focus();
    invalid = (on) => scale.el.classList.toggle("invalid", on);
  } else if (q.kind === "number") {
    const inputId = nextId("num");
    const rangeId = `${inputId}-range`;
    const input = h("input", {
      id: inputId, type: "number", inputmode: "numeric", min: q.min ?? null, max: q.max ?? null, step: "any",
      "aria-describedby": `${errId} ${rangeId}`, autocomplete: "off",
      value: typeof prefill === "number" ? prefill : null,
    });
    const unsure = unsureToggle(titleId, () => { input.value = ""; }, opts);
    unsure.set(prefill === "unsure");
    input.addEventListener("input", () => { if (input.value !== "") unsure.set(false); });
    title = h("label", { for: inputId, id: titleId, class: "q-text" }, q.text);
    body = h("div", { class: "number-q" }, title,
      h("div", { class: "number-row" }, input, q.unit ? h("span", { class: "unit" }, q.unit) : null),
      h("p", { id: rangeId, class: "hint" }, `Between ${q.min} and ${q.max}${q.unit ? " " + q.unit : ""}.`),
      err, unsure.btn);
    read = () => {
      if (unsure.pressed()) return { value: "unsure" };
      const raw = input.value.trim();
      const v = Number(raw);
      if (raw === "" || !Number.isFinite(v)) return { error: `Type a number, or choose "I'm not sure".` };
      if ((q.min !== undefined && v < q.min) || (q.max !== undefined && v > q.max)) {
        return { error: `Type a number between ${q.min} and ${q.max}.` };
      }
      return { value: v };
    };
    focusFirst = () => input.focus();
    invalid = (on) => {
      if (on) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    };
  } else {
    const multi = q.kind === "checklist";
    const name = nextId("opt");
    const picked = new Set<string>(
      Array.isArray(prefill) ? prefill : typeof prefill === "string" ? [prefill] : []);
    const inputs: HTMLInputElement[] = [];
    const roles = new Map(q.options.map((o) => [o.id, o.role]));
    const rows = q.options.map((o) => {
      const id = nextId("o");
      const input = h("input", {
        id, type: multi ? "checkbox" : "radio", name, value: o.id, checked: picked.has(o.id),
        "data-role": o.role,
      });
      inputs.push(input);
      if (multi) {
        // "None of these" excludes every other tick; any other tick
        // (including "I'm not sure") clears "None of these".
        input.addEventListener("change", () => {
          if (!input.checked) return;
          for (const other of inputs) {
            if (other === input) continue;
            const r = roles.get(other.value);
            if (o.role === "none" || r === "none") other.checked = false;
          }
        });
      }
      return h("div", { class: `choice role-${o.role}` }, input, h("label", { for: id }, o.label));
    });
    title = h("legend", { id: titleId, class: "q-text" }, q.text);
    const fs = h("fieldset", { "aria-describedby": errId }, title, rows);
    body = h("div", null, fs, err);
    read = () => {
      const ticked = inputs.filter((i) => i.checked).map((i) => i.value);
      if (ticked.length === 0) {
        return { error: multi ? `Tick at least one, or "None of these" or "I'm not sure".` : "Choose one answer." };
      }
      if (!multi && !q.options.some((o) => o.id === ticked[0])) return { error: "Choose one answer." };
      return { value: multi ? ticked : ticked[0] };
    };
    focusFirst = () => inputs[0]?.focus();
    invalid = (on) => fs.classList.toggle("invalid", on);
  }

  let help: HTMLElement[] = [];
  if (q.help) {
    const helpId = nextId("help");
    const helpBox = h("div", { id: helpId, class: "help", hidden: true }, h("p", null, q.help));
    const helpBtn = h("button", {
      type: "button", class: "link-button", "aria-expanded": "false", "aria-controls": helpId,
      "aria-describedby": titleId, "data-testid": "help",
    }, "Help with this question");
    helpBtn.addEventListener("click", () => {
      const open = helpBox.hidden;
      helpBox.hidden = !open;
      helpBtn.setAttribute("aria-expanded", String(open));
    });
    help = [helpBtn, helpBox];
  }

  const el = h("div", { class: "q", "data-question": q.id, "data-kind": isScale(q) ? "scale" : q.kind },
    body, help);
  const showError = (msg: string | null) => {
    err.textContent = msg ?? "";
    err.hidden = msg === null;
    invalid(msg !== null);
  };
  // An answer given clears the question's error (the others keep theirs).
  const answered = () => { if (!err.hidden && !("error" in read())) showError(null); };
  el.addEventListener("change", answered);
  el.addEventListener("input", answered);
  el.addEventListener("click", (ev) => {
    if ((ev.target as HTMLElement).closest("[data-testid=not-sure]")) answered();
  });
  return {
    q, el, title,
    read: () => read(),
    showError,
    focus: () => focusFirst(),
  };
}
