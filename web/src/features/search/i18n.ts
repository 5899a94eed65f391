/** The universal search's strings (registered as `search` in src/i18n/en.ts and fr.ts). */
export const en = {
  label: "Search",
  placeholder: "Search clients, leads, deals, people…",
  shortcut: "Press / or Ctrl+K to search.",
  results: "Search results",
  count_one: "{{count}} result",
  count_other: "{{count}} results",
  none: "No results for “{{q}}”.",
  searching: "Searching…",
  tooShort: "Type at least 2 characters.",
  failed: "The search failed. Please try again.",
  groups: {
    client: "Clients",
    lead: "Leads",
    deal: "Deals",
    user: "People",
  },
};

export const fr: typeof en = {
  label: "Rechercher",
  placeholder: "Rechercher clients, prospects, affaires, personnes…",
  shortcut: "Appuyez sur / ou Ctrl+K pour rechercher.",
  results: "Résultats de la recherche",
  count_one: "{{count}} résultat",
  count_other: "{{count}} résultats",
  none: "Aucun résultat pour « {{q}} ».",
  searching: "Recherche…",
  tooShort: "Saisissez au moins 2 caractères.",
  failed: "La recherche a échoué. Veuillez réessayer.",
  groups: {
    client: "Clients",
    lead: "Prospects",
    deal: "Affaires",
    user: "Personnes",
  },
};
