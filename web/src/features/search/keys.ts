/**
 * The search box's keyboard, as a pure function (the ARIA combobox pattern): the arrows open the
 * list and move the active option (wrapping around), Enter opens the active one, Escape closes
 * the list (and clears the text when it is already closed), Tab leaves and closes it.
 */
export interface ComboState {
  open: boolean;
  /** The active option's index, -1 for none. */
  active: number;
  /** How many options the list has. */
  count: number;
}

export interface ComboResult {
  open: boolean;
  active: number;
  /** Open the option at this index. */
  choose?: number;
  /** Empty the text box. */
  clear?: boolean;
  /** The key was the combobox's: the browser's default action must not run. */
  handled: boolean;
}

export function comboKey(key: string, { open, active, count }: ComboState): ComboResult {
  switch (key) {
    case "ArrowDown":
      if (count === 0) return { open: true, active: -1, handled: true };
      return { open: true, active: !open || active < 0 ? 0 : (active + 1) % count, handled: true };
    case "ArrowUp":
      if (count === 0) return { open: true, active: -1, handled: true };
      return { open: true, active: !open || active <= 0 ? count - 1 : active - 1, handled: true };
    case "Enter":
      if (open && active >= 0 && active < count) return { open: false, active: -1, choose: active, handled: true };
      return { open, active, handled: false };
    case "Escape":
      if (open) return { open: false, active: -1, handled: true };
      return { open: false, active: -1, clear: true, handled: true };
    case "Tab":
      return { open: false, active: -1, handled: false };
    default:
      return { open, active, handled: false };
  }
}

/** Whether a key press lands in a place where "/" is typed rather than a shortcut. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable === true;
}
