/** Strings of the incoming call panel (EN and FR). */
const enStrings = {
  title: "Incoming call",
  answered: "Call in progress",
  from: "From {{phone}}",
  fromLabel: "From",
  callBack: "Call {{phone}} back",
  unknown: "Unknown number",
  openCard: "Open the card",
  createClient: "Create a client",
  createLead: "Create a lead",
  name: "Name of the caller",
  notes: "Notes during the call",
  saveNote: "Save the note",
  noteSaved: "Note saved on the card.",
  dismiss: "Hide",
  client: "Client",
  lead: "Lead",
  user: "Colleague",
};

export const en = enStrings;
type Strings<T> = { -readonly [K in keyof T]: T[K] extends string ? string : Strings<T[K]> };

export const fr: Strings<typeof enStrings> = {
  title: "Appel entrant",
  answered: "Appel en cours",
  from: "De {{phone}}",
  fromLabel: "De",
  callBack: "Rappeler le {{phone}}",
  unknown: "Numéro inconnu",
  openCard: "Ouvrir la fiche",
  createClient: "Créer un client",
  createLead: "Créer un prospect",
  name: "Nom de l'appelant",
  notes: "Notes pendant l'appel",
  saveNote: "Enregistrer la note",
  noteSaved: "Note enregistrée sur la fiche.",
  dismiss: "Masquer",
  client: "Client",
  lead: "Prospect",
  user: "Collègue",
};
