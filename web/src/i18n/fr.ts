import { fr as analytics } from "../features/analytics/i18n";
import { fr as callsPanel } from "../features/calls-panel/i18n";
import { fr as webphone } from "../features/webphone/i18n";
import { fr as calls } from "../features/calls/i18n";
import { fr as contacts } from "../features/contacts/i18n";
import { fr as dashboard } from "../features/dashboard/i18n";
import { fr as deals } from "../features/deals/i18n";
import { fr as notifications } from "../features/notifications/i18n";
import { fr as search } from "../features/search/i18n";
import { fr as tasks } from "../features/tasks/i18n";
import { fr as sms } from "../features/sms/i18n";
import { fr as settings } from "../features/settings/i18n";
import { fr as imports } from "../features/imports/i18n";
import { fr as team } from "../features/team/i18n";
import { fr as integrations } from "../features/integrations/i18n";
import { fr as email } from "../features/email/i18n";
import type { Catalogue } from "./index";

const fr: Catalogue = {
  app: {
    name: "CRM",
    loading: "Chargement…",
    skipToContent: "Aller au contenu",
  },
  language: {
    label: "Langue",
    en: "English",
    fr: "Français",
  },
  errors: {
    network: "Le serveur est injoignable. Vérifiez votre connexion et réessayez.",
    unexpected: "Une erreur est survenue. Veuillez réessayer.",
    sessionExpired: "Votre session a expiré. Veuillez vous reconnecter.",
    required: "Ce champ est obligatoire.",
  },
  signIn: {
    title: "Connexion",
    crm: "Nom du CRM",
    crmHint: "Le nom sous lequel le CRM de votre équipe a été créé, par ex. acme-sales.",
    email: "E-mail",
    password: "Mot de passe",
    submit: "Se connecter",
    submitting: "Connexion…",
    badCredentials: "Le nom du CRM, l'e-mail ou le mot de passe est incorrect.",
    createCrm: "Créer un CRM",
    noAccount: "Nouveau ?",
  },
  createCrm: {
    title: "Créer un CRM",
    step: "Étape {{current}} sur {{total}}",
    steps: {
      company: "Votre entreprise",
      admin: "Administrateur",
      pbx: "Téléphonie",
    },
    name: "Nom du CRM",
    nameHint: "Lettres latines, chiffres, espaces et tirets. Il devient le nom d'adresse de votre CRM.",
    country: "Pays (deux lettres)",
    timezone: "Fuseau horaire",
    adminName: "Votre nom",
    adminEmail: "Votre e-mail",
    adminPassword: "Mot de passe",
    adminPasswordHint: "Au moins 8 caractères.",
    adminExtension: "Votre poste téléphonique",
    adminExtensionHint: "2 à 6 chiffres, par ex. 100.",
    users: "Collègues (facultatif)",
    userName: "Nom",
    userEmail: "E-mail",
    userExtension: "Poste",
    addUser: "Ajouter un collègue",
    removeUser: "Retirer le collègue {{n}}",
    colleague: "Collègue {{n}}",
    pbxIntro: "Reliez votre standard Zadarma maintenant, ou plus tard dans les paramètres.",
    pbxKey: "Clé API du standard",
    pbxSecret: "Secret API du standard",
    back: "Retour",
    next: "Suivant",
    submit: "Créer le CRM",
    submitting: "Création…",
    haveAccount: "Vous avez déjà un CRM ?",
    signIn: "Se connecter",
  },
  invitation: {
    title: "Rejoindre le CRM de votre équipe",
    intro: "Choisissez votre nom et votre mot de passe pour accepter l'invitation.",
    name: "Votre nom",
    email: "Votre e-mail",
    emailHint: "Nécessaire pour un lien partagé ; une invitation par e-mail le connaît déjà.",
    password: "Mot de passe",
    passwordHint: "Au moins 8 caractères.",
    submit: "Accepter l'invitation",
    submitting: "Acceptation…",
    missingToken: "Ce lien ne contient pas de jeton d'invitation. Demandez-en un nouveau à votre administrateur.",
    accepted: "Bienvenue, {{name}} ! Vous pouvez maintenant vous connecter.",
    signIn: "Se connecter",
  },
  shell: {
    navigation: "Principale",
    home: "Accueil",
    userMenu: "Menu du compte de {{name}}",
    signOut: "Se déconnecter",
  },
  home: {
    title: "Bienvenue, {{name}}",
    profile: "Votre profil",
    email: "E-mail",
    extension: "Poste",
    language: "Langue",
    timezone: "Fuseau horaire",
    none: "—",
  },
  dashboard,
  notifications,
  search,
  contacts,
  "calls-panel": callsPanel,
  webphone,
  calls,
  deals,
  tasks,
  sms,
  settings,
  imports,
  team,
  email,
  analytics,
  integrations,
};

export default fr;
