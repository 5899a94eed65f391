export const en = {
  nav: "Tasks",
  calendar: { nav: "Calendar" },
};

type Strings<T> = { [K in keyof T]: T[K] extends string ? string : Strings<T[K]> };

export const fr: Strings<typeof en> = {
  nav: "Tâches",
  calendar: { nav: "Calendrier" },
};
