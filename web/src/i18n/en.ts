import { en as analytics } from "../features/analytics/i18n";
import { en as callsPanel } from "../features/calls-panel/i18n";
import { en as webphone } from "../features/webphone/i18n";
import { en as calls } from "../features/calls/i18n";
import { en as contacts } from "../features/contacts/i18n";
import { en as dashboard } from "../features/dashboard/i18n";
import { en as deals } from "../features/deals/i18n";
import { en as notifications } from "../features/notifications/i18n";
import { en as search } from "../features/search/i18n";
import { en as tasks } from "../features/tasks/i18n";
import { en as sms } from "../features/sms/i18n";
import { en as settings } from "../features/settings/i18n";
import { en as imports } from "../features/imports/i18n";
import { en as team } from "../features/team/i18n";
import { en as integrations } from "../features/integrations/i18n";
import { en as email } from "../features/email/i18n";

/** The English catalogue: the source of the keys (fr.ts must have the same shape). */
const en = {
  app: {
    name: "CRM",
    loading: "Loading…",
    skipToContent: "Skip to content",
  },
  language: {
    label: "Language",
    en: "English",
    fr: "Français",
  },
  errors: {
    network: "The server cannot be reached. Check your connection and try again.",
    unexpected: "Something went wrong. Please try again.",
    sessionExpired: "Your session has expired. Please sign in again.",
    required: "This field is required.",
  },
  signIn: {
    title: "Sign in",
    crm: "CRM name",
    crmHint: "The name your team's CRM was created with, e.g. acme-sales.",
    email: "Email",
    password: "Password",
    submit: "Sign in",
    submitting: "Signing in…",
    badCredentials: "The CRM name, email or password is not right.",
    createCrm: "Create a CRM",
    noAccount: "New here?",
  },
  createCrm: {
    title: "Create a CRM",
    step: "Step {{current}} of {{total}}",
    steps: {
      company: "Your company",
      admin: "Administrator",
      pbx: "Telephony",
    },
    name: "CRM name",
    nameHint: "Latin letters, digits, spaces and hyphens. It becomes your CRM's address name.",
    country: "Country (two letters)",
    timezone: "Time zone",
    adminName: "Your name",
    adminEmail: "Your email",
    adminPassword: "Password",
    adminPasswordHint: "At least 8 characters.",
    adminExtension: "Your PBX extension",
    adminExtensionHint: "2 to 6 digits, e.g. 100.",
    users: "Colleagues (optional)",
    userName: "Name",
    userEmail: "Email",
    userExtension: "Extension",
    addUser: "Add a colleague",
    removeUser: "Remove colleague {{n}}",
    colleague: "Colleague {{n}}",
    pbxIntro: "Link your Zadarma PBX now, or later in the settings.",
    pbxKey: "PBX API key",
    pbxSecret: "PBX API secret",
    back: "Back",
    next: "Next",
    submit: "Create the CRM",
    submitting: "Creating…",
    haveAccount: "Already have a CRM?",
    signIn: "Sign in",
  },
  invitation: {
    title: "Join your team's CRM",
    intro: "Choose your name and password to accept the invitation.",
    name: "Your name",
    email: "Your email",
    emailHint: "Needed for a shared link; an emailed invitation already knows it.",
    password: "Password",
    passwordHint: "At least 8 characters.",
    submit: "Accept the invitation",
    submitting: "Accepting…",
    missingToken: "This link has no invitation token. Ask your administrator for a new one.",
    accepted: "Welcome aboard, {{name}}! You can now sign in.",
    signIn: "Sign in",
  },
  shell: {
    navigation: "Main",
    home: "Home",
    userMenu: "Account menu for {{name}}",
    signOut: "Sign out",
  },
  home: {
    title: "Welcome, {{name}}",
    profile: "Your profile",
    email: "Email",
    extension: "Extension",
    language: "Language",
    timezone: "Time zone",
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
} as const;

export default en;
