import i18n from "i18next";
import { describe, expect, it } from "vitest";

import { eventSentence } from "./events";

const names: Record<string, string> = { U1: "Dana Demo", U2: "Sam Seller" };
const nameOf = (id: string | null | undefined) => (id ? names[id] : undefined);
const en = i18n.getFixedT("en");
const fr = i18n.getFixedT("fr");
const event = (data: Record<string, unknown>) => ({ kind: "event", data });

describe("feed event sentences", () => {
  it("tells every contact event the API writes, in English and French", () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ event: "created", name: "Acme" }, "Record created.", "Fiche créée."],
      [{ event: "created", source: "call_incoming", phone: "+33" }, "Created from an incoming call.", "Créée depuis un appel entrant."],
      [{ event: "created", source: "email" }, "Created from an email.", "Créée depuis un e-mail."],
      [{ event: "created", import_id: "I1", filename: "leads.csv" }, "Created by the import of leads.csv.", "Créée par l'import de leads.csv."],
      [
        { event: "updated", changes: [{ field: "name", old: "A", new: "B" }, { field: "tags" }, { field: "vip_level" }] },
        "Changed: Name, Tags, vip_level.",
        "Modifié : Nom, Étiquettes, vip_level.",
      ],
      [{ event: "updated", changes: [] }, "Details changed.", "Informations modifiées."],
      [{ event: "updated", changes: [{ field: "address" }], import_id: "I1" }, "Changed by an import: Address.", "Modifié par un import : Adresse."],
      [{ event: "updated", changes: [{ field: "address" }], import_id: "I1", undo: true }, "Import undone, restored: Address.", "Import annulé, rétabli : Adresse."],
      [{ event: "assigned", from: null, to: "U1" }, "Assigned to Dana Demo.", "Attribuée à Dana Demo."],
      [{ event: "assigned", from: "U1", to: "U2" }, "Reassigned from Dana Demo to Sam Seller.", "Réattribuée de Dana Demo à Sam Seller."],
      [{ event: "assigned", from: "U1", to: null }, "Put back in Unsorted (was Dana Demo).", "Remise dans Non triés (était à Dana Demo)."],
      [{ event: "taken", to: "U2" }, "Sam Seller took this lead from Unsorted.", "Sam Seller a pris ce prospect dans Non triés."],
      [{ event: "taken", to: "U9" }, "someone took this lead from Unsorted.", "quelqu'un a pris ce prospect dans Non triés."],
      [{ event: "converted", from: "lead", to: "client" }, "Converted from a lead to a client.", "Prospect converti en client."],
      [{ event: "form_submitted", name: "Web" }, "Sent a web form.", "A envoyé un formulaire web."],
    ];
    for (const [data, english, french] of cases) {
      expect(eventSentence(event(data), en, nameOf)).toBe(english);
      expect(eventSentence(event(data), fr, nameOf)).toBe(french);
    }
  });

  it("never shows a raw code: an unknown event gets a neutral sentence", () => {
    expect(eventSentence(event({ event: "teleported" }), en, nameOf)).toBe("Other activity on this record.");
    expect(eventSentence(event({}), fr, nameOf)).toBe("Autre activité sur cette fiche.");
    expect(eventSentence(event({ event: "created", source: "carrier_pigeon" }), en, nameOf)).toBe("Record created.");
  });

  it("tells task, deal and scheduled SMS lines; notes and calls are not events", () => {
    expect(eventSentence({ kind: "task", data: { event: "completed", title: "Call back" } }, en, nameOf)).toBe("Task completed: Call back");
    expect(eventSentence({ kind: "task", data: { event: "rescheduled", title: "Call back" } }, fr, nameOf)).toBe("Tâche replanifiée : Call back");
    expect(eventSentence({ kind: "task", data: { event: "new_kind", title: "Call back" } }, en, nameOf)).toBe("Task: Call back");
    expect(eventSentence({ kind: "deal", data: { event: "created", title: "Plan", deal_id: "D1" } }, en, nameOf)).toBe("Deal created: Plan");
    expect(eventSentence({ kind: "sms", data: { event: "sms_sent", phone: "+3361" } }, en, nameOf)).toBe("Scheduled SMS sent to +3361.");
    expect(eventSentence({ kind: "sms", data: { direction: "outgoing" } }, en, nameOf)).toBeUndefined();
    expect(eventSentence({ kind: "note", data: {} }, en, nameOf)).toBeUndefined();
    expect(eventSentence({ kind: "call", data: {} }, en, nameOf)).toBeUndefined();
  });
});
