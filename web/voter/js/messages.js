// Plain French (FALC) texts for every error the voter can meet, keyed by stable codes:
// the ballot client's (ballot-client-wasm/src/error.rs) and the API's (specs/api.md §1.1).

import { parisText } from './paris-time.js';

function ordinal(n) {
  return n === 1 ? '1er' : `${n}e`;
}

/** Text for an identifier problem found in the browser, before any request. */
export function identifierErrorText(error) {
  const d = error.details || {};
  switch (error.code) {
    case 'identifier_length':
      return `L’identifiant a ${d.expected || 12} chiffres. Vous en avez écrit ${d.found ?? 'un autre nombre'}. Recopiez-le avec votre courrier.`;
    case 'identifier_character':
      return `L’identifiant n’a que des chiffres. Le ${ordinal(d.position || 1)} caractère n’est pas un chiffre.`;
    default:
      return 'L’identifiant contient une faute de frappe. Vérifiez chaque chiffre avec votre courrier.';
  }
}

/** Text for a secret-code problem found in the browser, before any request. */
export function codeErrorText(error) {
  const d = error.details || {};
  switch (error.code) {
    case 'code_length':
      return `Le code secret a ${d.expected || 18} caractères (sans compter les tirets). Vous en avez écrit ${d.found ?? 'un autre nombre'}. Recopiez tout le code écrit sur votre courrier.`;
    case 'code_character':
      return `Le ${ordinal(d.position || 1)} caractère du code secret n’existe pas dans les codes. Les codes n’ont jamais les chiffres 0 et 1, ni les lettres O, I et L. Vérifiez ce caractère avec votre courrier.`;
    case 'code_check':
      return 'Le code secret contient une faute de frappe. Vérifiez chaque caractère avec votre courrier.';
    default:
      return 'Le code secret n’est pas valable. Vérifiez-le avec votre courrier.';
  }
}

/** Text for a lockout, with the Paris time when the voter can try again. */
export function lockoutText(retryAfterSeconds) {
  const minutes = Math.max(1, Math.ceil((retryAfterSeconds || 900) / 60));
  const until = new Date(Date.now() + (retryAfterSeconds || 900) * 1000);
  return `Il y a eu trop d’essais. Pour protéger votre vote, l’accès est bloqué pendant ${minutes} minute${minutes > 1 ? 's' : ''}. Vous pourrez réessayer après ${parisText(until)} (heure de Paris).`;
}

/** Text for an API error: our wording where we add guidance, else the server's own. */
export function apiErrorText(error) {
  switch (error.code) {
    case 'network':
      return 'Le serveur ne répond pas. Vérifiez votre connexion à internet, puis réessayez.';
    case 'login_failed':
      return 'L’identifiant ou le code secret est faux. Vérifiez-les avec votre courrier, puis réessayez.';
    case 'birth_date_mismatch':
      return 'Cette date de naissance ne correspond pas. Vérifiez-la, puis réessayez.';
    case 'invalid_birth_date':
      return 'Cette date n’existe pas. Écrivez le jour, le mois et l’année avec des chiffres.';
    case 'account_locked':
      return lockoutText(error.retryAfterSeconds);
    case 'material_replaced':
      return 'Ce code n’est plus valable, car un nouveau code vous a été envoyé. Utilisez le nouveau courrier.';
    case 'session_expired':
    case 'unauthenticated':
    case 'wrong_login_step':
      return 'Vous êtes resté trop longtemps sans rien faire. Pour votre sécurité, reconnectez-vous.';
    case 'already_voted':
    case 'voting_key_used':
      return 'Vous avez déjà voté avec ce courrier. On ne peut voter qu’une fois avec chaque courrier.';
    case 'scrutin_not_open':
      return 'Le vote n’est pas encore ouvert.';
    case 'scrutin_closed':
      return 'Le vote est terminé.';
    case 'scrutin_suspended':
      return error.message || 'Le vote est suspendu pour le moment.';
    case 'unavailable':
    case 'internal':
      return 'Le serveur a un problème. Réessayez dans quelques minutes.';
    default:
      return error.message || 'Une erreur s’est produite. Réessayez.';
  }
}

/** Name of a scrutin's state, said in words (colour only repeats it). */
export function stateLabel(state) {
  switch (state) {
    case 'open':
      return 'Le vote est ouvert';
    case 'suspended':
      return 'Le vote est suspendu';
    case 'closed':
      return 'Le vote est terminé';
    case 'not_open_yet':
      return 'Le vote n’est pas encore ouvert';
    default:
      return 'État du vote inconnu';
  }
}
