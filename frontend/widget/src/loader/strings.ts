// The loader's own words (the launcher, the "unavailable" panel), in every widget language.
// Kept apart from the chat's catalogue (frame/strings.ts) so the loader bundle stays small.
import { type Catalogue, fill, type Lang, type Vars } from '../shared/i18n';

const en = {
  open: 'Open chat',
  close: 'Close chat',
  /** The launcher's accessible name with unread agent replies; `{label}` is open. */
  unreadOne: '{label}, {n} unread message',
  unreadOther: '{label}, {n} unread messages',
  /** The panel (dialog) and the iframe's title. */
  chat: 'Chat',
  unavailable: 'Chat is unavailable',
  notAllowed: "This website isn't allowed to show this chat. Please contact the site owner.",
  dismiss: 'Close',
};

export type LoaderKey = keyof typeof en;

export const LOADER_STRINGS: Catalogue<LoaderKey> = {
  en,
  de: {
    open: 'Chat öffnen',
    close: 'Chat schließen',
    unreadOne: '{label}, {n} ungelesene Nachricht',
    unreadOther: '{label}, {n} ungelesene Nachrichten',
    chat: 'Chat',
    unavailable: 'Der Chat ist nicht verfügbar',
    notAllowed: 'Diese Website darf diesen Chat nicht anzeigen. Bitte wenden Sie sich an den Betreiber der Website.',
    dismiss: 'Schließen',
  },
  fr: {
    open: 'Ouvrir le chat',
    close: 'Fermer le chat',
    unreadOne: '{label}, {n} message non lu',
    unreadOther: '{label}, {n} messages non lus',
    chat: 'Chat',
    unavailable: "Le chat n'est pas disponible",
    notAllowed: "Ce site n'est pas autorisé à afficher ce chat. Veuillez contacter le propriétaire du site.",
    dismiss: 'Fermer',
  },
  es: {
    open: 'Abrir el chat',
    close: 'Cerrar el chat',
    unreadOne: '{label}, {n} mensaje sin leer',
    unreadOther: '{label}, {n} mensajes sin leer',
    chat: 'Chat',
    unavailable: 'El chat no está disponible',
    notAllowed: 'Este sitio web no tiene permiso para mostrar este chat. Póngase en contacto con el propietario del sitio.',
    dismiss: 'Cerrar',
  },
  pt: {
    open: 'Abrir o chat',
    close: 'Fechar o chat',
    unreadOne: '{label}, {n} mensagem não lida',
    unreadOther: '{label}, {n} mensagens não lidas',
    chat: 'Chat',
    unavailable: 'O chat não está disponível',
    notAllowed: 'Este site não tem permissão para exibir este chat. Entre em contato com o responsável pelo site.',
    dismiss: 'Fechar',
  },
  nl: {
    open: 'Chat openen',
    close: 'Chat sluiten',
    unreadOne: '{label}, {n} ongelezen bericht',
    unreadOther: '{label}, {n} ongelezen berichten',
    chat: 'Chat',
    unavailable: 'De chat is niet beschikbaar',
    notAllowed: 'Deze website mag deze chat niet tonen. Neem contact op met de eigenaar van de website.',
    dismiss: 'Sluiten',
  },
};

export const lt = (lang: Lang, key: LoaderKey, vars?: Vars) => fill(LOADER_STRINGS[lang][key], vars);
