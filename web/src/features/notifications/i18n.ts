/** The notification bell's strings (registered as `notifications` in src/i18n/en.ts and fr.ts). */
export const en = {
  bell: "Notifications, {{count}} unread",
  bellNone: "Notifications, none unread",
  title: "Notifications",
  markAll: "Mark all as read",
  loadMore: "Load more",
  empty: "No notifications yet.",
  unread: "Unread",
  failed: "The notifications could not be updated. Please try again.",
  close: "Close",
  kinds: {
    lead_assigned: "Lead assigned",
    task_assigned: "Task assigned",
    task_due: "Task due",
    missed_call: "Missed call",
    email_received: "Email received",
    import_finished: "Import finished",
    integration_error: "Integration error",
  },
};

export const fr: typeof en = {
  bell: "Notifications, {{count}} non lue(s)",
  bellNone: "Notifications, aucune non lue",
  title: "Notifications",
  markAll: "Tout marquer comme lu",
  loadMore: "Voir plus",
  empty: "Aucune notification pour l’instant.",
  unread: "Non lue",
  failed: "Les notifications n’ont pas pu être mises à jour. Veuillez réessayer.",
  close: "Fermer",
  kinds: {
    lead_assigned: "Prospect attribué",
    task_assigned: "Tâche attribuée",
    task_due: "Tâche à échéance",
    missed_call: "Appel manqué",
    email_received: "E-mail reçu",
    import_finished: "Import terminé",
    integration_error: "Erreur d’intégration",
  },
};
