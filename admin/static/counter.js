// Live SMS counter for answer boxes: characters, encoding, segments and cost as the officer types.
//
// Progressive enhancement: without JavaScript the "Check length and cost" button asks the server,
// which uses bot/messaging.py. This file mirrors those rules exactly, so both always agree:
// GSM-7 (160 characters, 153 a part once split) unless any character is outside GSM 03.38, then
// UCS-2 (70, then 67); GSM-7 extension characters cost 2; text is normalised first (curly quotes,
// dashes, odd spaces), and a character is never split across two segments.
//
// Markup: <form or div data-sms-counter data-sms-prefix data-sms-price data-sms-max data-sms-template
// data-sms-too-long> holding a <textarea data-sms-input> and an <p data-sms-output aria-live>.
// A broadcast's box also has data-sms-suffix: the line every broadcast ends with (how to stop).
// An officer's answer has data-sms-intros (JSON: the intros bot.core.questions may choose, the
// longest quote of the question first, none last) and data-sms-outro instead of a prefix.

const GSM7_BASIC = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);
const GSM7_EXTENDED = new Set("^{}\\[~]|€\f");
const BUDGETS = { "GSM-7": [160, 153], "UCS-2": [70, 67] };

const SUBSTITUTES = new Map();
for (const ch of "‘’‚‛′") SUBSTITUTES.set(ch, "'");
for (const ch of "“”„‟″") SUBSTITUTES.set(ch, '"');
for (const ch of "–—―−‐‑‒") SUBSTITUTES.set(ch, "-");
SUBSTITUTES.set("…", "...");
for (const code of [0x00a0, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007,
  0x2008, 0x2009, 0x200a, 0x202f, 0x205f, 0x3000]) {
  SUBSTITUTES.set(String.fromCodePoint(code), " ");
}
for (const code of [0x200b, 0x200c, 0x200d, 0x2060, 0xfeff]) {
  SUBSTITUTES.set(String.fromCodePoint(code), "");
}

/** bot.messaging.normalise: look-alikes replaced, CRLF to LF, trimmed. */
export function normalise(text) {
  let out = "";
  for (const ch of text.normalize("NFC")) {
    out += SUBSTITUTES.has(ch) ? SUBSTITUTES.get(ch) : ch;
  }
  return out.replaceAll("\r\n", "\n").trim();
}

/** bot.messaging.segment_info: { encoding, characters, units, segments, perSegment }. */
export function segmentInfo(text) {
  const chars = Array.from(text);
  const gsm = chars.every((ch) => GSM7_BASIC.has(ch) || GSM7_EXTENDED.has(ch));
  const encoding = gsm ? "GSM-7" : "UCS-2";
  const costs = chars.map((ch) =>
    gsm ? (GSM7_EXTENDED.has(ch) ? 2 : 1) : ch.codePointAt(0) > 0xffff ? 2 : 1,
  );
  const [single, part] = BUDGETS[encoding];
  const units = costs.reduce((sum, cost) => sum + cost, 0);
  if (units <= single) {
    return { encoding, characters: chars.length, units, segments: 1, perSegment: single };
  }
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > part) {
      segments += 1;
      used = 0;
    }
    used += cost;
  }
  return { encoding, characters: chars.length, units, segments, perSegment: part };
}

/**
 * bot.core.questions.AnswerFrame.text: the answer between the longest intro that costs no more
 * segments than the last (no quote) and fits `max`, and the closing line.
 */
export function framed(intros, outro, answer, max) {
  const around = (intro) => `${intro}\n${answer}\n${outro}`;
  const plain = around(intros[intros.length - 1]);
  const budget = segmentInfo(plain).segments;
  for (const intro of intros.slice(0, -1)) {
    const body = around(intro);
    if (segmentInfo(body).segments <= budget && Array.from(body).length <= max) return body;
  }
  return plain;
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (match, name) => (name in values ? values[name] : match));
}

function describe(form, value) {
  const max = Number(form.dataset.smsMax || 1600);
  const body = form.dataset.smsIntros
    ? framed(JSON.parse(form.dataset.smsIntros), form.dataset.smsOutro || "", normalise(value), max)
    : (form.dataset.smsPrefix || "") + normalise(value) + (form.dataset.smsSuffix || "");
  const info = segmentInfo(body);
  if (info.characters > max) {
    return fill(form.dataset.smsTooLong, { characters: info.characters, max });
  }
  const cost = (info.segments * Number(form.dataset.smsPrice || 0)).toFixed(2);
  return fill(form.dataset.smsTemplate, {
    characters: info.characters,
    encoding: info.encoding,
    segments: info.segments,
    per_segment: info.perSegment,
    cost,
  });
}

const forms = typeof document === "undefined" ? [] : document.querySelectorAll("[data-sms-counter]");
for (const form of forms) {
  const input = form.querySelector("[data-sms-input]");
  const output = form.querySelector("[data-sms-output]");
  if (!input || !output) continue;
  const hint = output.textContent; // shown again whenever the box is empty
  const update = () => {
    output.textContent = input.value.trim() ? describe(form, input.value) : hint;
  };
  input.addEventListener("input", update);
  update();
}
