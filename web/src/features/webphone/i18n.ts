/** Strings of the web phone and of transfers (EN and FR). */
const enStrings = {
  title: "Web phone",
  standIn: "Stand-in phone (local stack)",
  ready: "Ready · extension {{extension}}",
  outside: "Outside your working hours: calls use your softphone.",
  dialling: "Calling {{to}}…",
  dialled: "Your web phone dials {{to}}.",
  onCall: "On a call with {{who}}",
  hangUp: "Hang up",
  ended: "Call ended.",
  sent: "Sent the keys {{digits}} on the call.",
  loading: "Loading the web phone…",
  unavailable: "The web phone cannot start: {{reason}}",
  transfer: {
    legend: "Transfer the call",
    colleague: "Colleague",
    choose: "Choose a colleague",
    attended: "Talk to them first (attended)",
    submit: "Transfer",
    done: "Transferred to {{name}} (extension {{extension}}).",
    keys: "On your softphone, press {{digits}} to complete it.",
    none: "No colleague with an extension.",
    history: "Transferred to {{names}}",
  },
};

export const en = enStrings;
type Strings<T> = { -readonly [K in keyof T]: T[K] extends string ? string : Strings<T[K]> };

export const fr: Strings<typeof enStrings> = {
  title: "Téléphone web",
  standIn: "Téléphone de remplacement (pile locale)",
  ready: "Prêt · poste {{extension}}",
  outside: "Hors de vos horaires de travail : les appels passent par votre softphone.",
  dialling: "Appel de {{to}}…",
  dialled: "Votre téléphone web appelle le {{to}}.",
  onCall: "En ligne avec {{who}}",
  hangUp: "Raccrocher",
  ended: "Appel terminé.",
  sent: "Touches {{digits}} envoyées pendant l'appel.",
  loading: "Chargement du téléphone web…",
  unavailable: "Le téléphone web ne peut pas démarrer : {{reason}}",
  transfer: {
    legend: "Transférer l'appel",
    colleague: "Collègue",
    choose: "Choisir un collègue",
    attended: "Lui parler d'abord (transfert supervisé)",
    submit: "Transférer",
    done: "Transféré à {{name}} (poste {{extension}}).",
    keys: "Sur votre softphone, tapez {{digits}} pour le terminer.",
    none: "Aucun collègue n'a de poste.",
    history: "Transféré à {{names}}",
  },
};
