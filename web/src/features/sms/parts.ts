/**
 * How many SMS parts a text takes, as providers count them (3GPP TS 23.038): GSM-7 texts fit
 * 160 characters in one SMS and 153 per part when split; a character outside the GSM-7
 * alphabet makes the whole text UCS-2, 70 characters in one SMS and 67 per part. The GSM
 * extension characters (€, [, ], {, }, |, ^, ~, \) take two of the 160.
 * The provider reports the real count on sending; this is the estimate shown while typing.
 */
const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENDED = "^{}\\[~]|€\f";

export interface SmsParts {
  /** Characters as the SMS counts them (an extension character counts two in GSM-7). */
  length: number;
  encoding: "gsm7" | "ucs2";
  parts: number;
  /** Characters left in the last part before another part starts. */
  remaining: number;
}

export function smsParts(text: string): SmsParts {
  let gsm = 0;
  let ucs2 = 0;
  let isGsm = true;
  for (const char of text) {
    if (GSM_BASIC.includes(char)) gsm += 1;
    else if (GSM_EXTENDED.includes(char)) gsm += 2;
    else isGsm = false;
    ucs2 += char.length; // UTF-16 code units: an emoji takes two
  }
  const [length, single, part] = isGsm ? [gsm, 160, 153] : [ucs2, 70, 67];
  if (length === 0) return { length, encoding: isGsm ? "gsm7" : "ucs2", parts: 0, remaining: single };
  const parts = length <= single ? 1 : Math.ceil(length / part);
  const capacity = parts === 1 ? single : parts * part;
  return { length, encoding: isGsm ? "gsm7" : "ucs2", parts, remaining: capacity - length };
}
