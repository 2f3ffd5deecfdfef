// The voter's single-page app: a hash router for the public pages (home, tracking check,
// new material) and the voting path (login, birth date, ballot, review, casting, receipt).
// State lives in memory only: the secret code is dropped once the ballot is cast.

import { api, ApiError } from './api.js';
import { enterView } from './dom.js';
import { loadBallotClient } from './ballot-client.js';
import { apiErrorText } from './messages.js';
import { startClock } from './paris-time.js';
import { ContestSelection } from './selection.js';
import { renderBallot, renderCannotVote } from './views/ballot.js';
import { renderCast, renderReceipt } from './views/cast.js';
import { renderHome } from './views/home.js';
import { renderBirthDate, renderLogin } from './views/login.js';
import { renderResend } from './views/resend.js';
import { renderReview } from './views/review.js';
import { renderTrack } from './views/track.js';

const main = document.getElementById('main');

function freshVote() {
  return {
    totalSteps: 4,
    step: 'login',
    identifier: null,
    code: null,
    token: null,
    sheet: null,
    selections: null,
    encrypted: null,
    receipt: null,
    notice: null,
    blocked: false,
  };
}

let serverOffsetMs = 0;

const app = {
  vote: freshVote(),

  /** Title, focus on the heading, scroll to top: every new view goes through here. */
  enter(view, title) {
    enterView(view, title);
  },

  /** The ballot client, loaded once (its first use starts the download). */
  client() {
    return loadBallotClient();
  },

  /** Aligns the displayed Paris time on the server's clock. */
  syncClock(serverTime) {
    const t = Date.parse(serverTime);
    if (!Number.isNaN(t)) serverOffsetMs = t - Date.now();
  },

  /** Shows one step of the voting path. */
  goVote(step) {
    this.vote.step = step;
    if (location.hash !== '#/voter') {
      location.hash = '#/voter';
      return; // the hashchange handler renders the step
    }
    renderVoteStep();
  },

  /** Back to step 1, with an optional message; `keepNothing` clears everything (next right). */
  restartLogin(message, keepNothing = false) {
    const identifier = keepNothing ? null : this.vote.identifier;
    this.vote = freshVote();
    this.vote.identifier = identifier;
    this.vote.notice = message;
    if (keepNothing) {
      showChamber({ chamber_label: 'Vote par internet' });
      document.getElementById('chamber-logo').src = 'img/logo.svg';
    }
    this.goVote('login');
  },

  /** After a full login: fetch the ballot sheet and show the ballot (or why not). */
  async loadBallot() {
    let sheet;
    try {
      sheet = await api.ballotSheet(this.vote.token);
    } catch (error) {
      if (error instanceof ApiError && ['session_expired', 'unauthenticated', 'wrong_login_step'].includes(error.code)) {
        this.restartLogin(apiErrorText(error));
        return;
      }
      renderCannotVote(main, this, 'Le bulletin n’a pas pu être chargé', error instanceof ApiError ? apiErrorText(error) : 'Réessayez dans quelques minutes.');
      return;
    }
    this.vote.sheet = sheet;
    showChamber(sheet.scrutin);
    this.vote.selections = sheet.contests.map((c) => new ContestSelection(c));
    this.vote.code = this.vote.code || null;
    if (sheet.right && sheet.right.already_voted) {
      this.vote.code = null;
      this.vote.blocked = true;
      renderCannotVote(main, this, 'Vous avez déjà voté', 'Vous avez déjà voté avec ce courrier. On ne peut voter qu’une fois avec chaque courrier. Si vous avez un autre courrier, connectez-vous avec son identifiant.');
      return;
    }
    const state = sheet.scrutin.state;
    if (state !== 'open') {
      this.vote.code = null;
      this.vote.blocked = true;
      const texts = {
        suspended: sheet.scrutin.message
          ? `Le vote est suspendu. Message de la commission : « ${sheet.scrutin.message} »`
          : 'Le vote est suspendu pour le moment. Revenez plus tard.',
        closed: 'Le vote est terminé.',
        not_open_yet: `Le vote n’est pas encore ouvert.${sheet.scrutin.opens_at_text ? ` Il ouvrira ${sheet.scrutin.opens_at_text}.` : ''}`,
      };
      renderCannotVote(main, this, state === 'suspended' ? 'Le vote est suspendu' : 'Vous ne pouvez pas voter maintenant', texts[state] || 'Vous ne pouvez pas voter maintenant.');
      return;
    }
    this.goVote('ballot');
  },
};

/** The header names the voter's chamber (and shows its logo when the API gives one). */
function showChamber(scrutin) {
  const subtitle = document.getElementById('site-subtitle');
  if (subtitle && scrutin.chamber_label) subtitle.textContent = scrutin.chamber_label;
  const logo = document.getElementById('chamber-logo');
  if (logo && scrutin.logo_url) logo.src = scrutin.logo_url;
}

function renderVoteStep(arriving = false) {
  if (app.vote.blocked || (arriving && app.vote.step === 'receipt')) {
    // Coming back to vote after a receipt or a refusal starts a new login (another letter).
    app.vote = freshVote();
  }
  const vote = app.vote;
  const needsSheet = ['ballot', 'review', 'cast'].includes(vote.step);
  if ((needsSheet && !vote.sheet) || (vote.step === 'birth-date' && !vote.token) || (vote.step === 'receipt' && !vote.receipt)) {
    vote.step = 'login';
  }
  switch (vote.step) {
    case 'birth-date':
      renderBirthDate(main, app);
      break;
    case 'ballot':
      renderBallot(main, app);
      break;
    case 'review':
      renderReview(main, app);
      break;
    case 'cast':
      renderCast(main, app);
      break;
    case 'receipt':
      renderReceipt(main, app);
      break;
    default:
      renderLogin(main, app);
  }
}

let lastRoute = null;

function route() {
  const hash = location.hash || '#/';
  const arriving = hash === '#/voter' && lastRoute !== '#/voter';
  lastRoute = hash;
  if (hash === '#/voter') {
    renderVoteStep(arriving);
  } else if (hash.startsWith('#/suivi')) {
    const code = hash.slice('#/suivi/'.length);
    renderTrack(main, app, hash.startsWith('#/suivi/') ? decodeURIComponent(code) : '');
  } else if (hash === '#/nouveau-code') {
    renderResend(main, app);
  } else {
    renderHome(main, app);
  }
}

window.addEventListener('hashchange', route);
// The skip link moves focus without changing the hash (the hash is the router's).
document.querySelector('.skip-link')?.addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});
startClock(document.getElementById('clock'), () => serverOffsetMs);
route();
// Warm the ballot client in the background, so encryption does not wait for the download.
// A failure here is reported where the client is needed.
loadBallotClient().catch(() => {});
