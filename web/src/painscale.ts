// A 0-10 pain scale: eleven radio buttons in a fieldset, none chosen at
// first (a score the person did not give is never sent). Native radios keep
// it usable by keyboard (Tab into the group, arrow keys to move) and by a
// screen reader (the legend and "4, moderate" names each choice).
import { h, nextId } from "./dom";

const WORDS = ["no pain", "", "", "mild", "", "moderate", "", "severe", "", "", "worst imaginable"];

export interface PainScale {
  el: HTMLFieldSetElement;
  value(): number | null;  // null until a number is chosen
  set(n: number | null): void;
}

export function painScale(legend: string, testId = "pain-scale"): PainScale {
  const name = nextId("pain");
  const inputs: HTMLInputElement[] = [];
  const items = WORDS.map((word, n) => {
    const id = `${name}-${n}`;
    const input = h("input", { id, type: "radio", name, value: n });
    inputs.push(input);
    return h("div", { class: "pain-point" }, input,
      h("label", { for: id }, String(n), word ? h("span", { class: "sr-only" }, `, ${word}`) : null));
  });
  const el = h("fieldset", { class: "pain-scale", "data-testid": testId },
    h("legend", null, legend),
    h("p", { class: "hint", "aria-hidden": "true" }, "0 = no pain, 10 = worst imaginable"),
    h("div", { class: "pain-points" }, items));
  return {
    el,
    value: () => {
      const c = inputs.find((i) => i.checked);
      return c ? Number(c.value) : null;
    },
    set: (n) => { for (const i of inputs) i.checked = n !== null && Number(i.value) === n; },
  };
}
