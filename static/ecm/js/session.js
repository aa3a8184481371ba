// The idle sign-out warning and drafts of long forms (templates/accounts/_timeout_warning.html
// and _draft_banner.html). Loaded as a module: no inline script under the Content Security
// Policy. Everything it does has a plain-page equivalent: the header says when the user will
// be signed out and has a "Stay signed in" button, and a form posted after the sign-out is
// kept on the server and offered back after signing in again.
//
// - Before the idle limit, a dialog offers "Stay signed in" (the GOV.UK and HMRC timeout
//   warning pattern). Typing or clicking on the page counts as activity: it restarts the
//   server's idle clock (at most every so often), so someone writing never sees the dialog.
// - On a page whose form keeps drafts, what is typed is posted to the server every few
//   seconds; when the time runs out it is posted once more (the server keeps a post that
//   arrives after the limit) and the page reloads, which leads to signing in again.

const dialog = document.getElementById("ecm-timeout-dialog");

const SAVE_DELAY_MS = 2000;
// Reload a little after the limit, so the server has signed the session out by then.
const GRACE_MS = 1500;

function isJson(response) {
  return response.ok && (response.headers.get("Content-Type") || "").includes("application/json");
}

function draftForm(config) {
  // The form on the page that posts to the page's own address (the draft's key).
  const key = config.dataset.key;
  return Array.from(document.querySelectorAll("main form")).find((form) => {
    if ((form.getAttribute("method") || "").toLowerCase() !== "post") return false;
    const target = new URL(form.getAttribute("action") || "", window.location.href);
    return target.pathname + target.search === key;
  });
}

function start() {
  const idleMs = Number(dialog.dataset.idleSeconds) * 1000;
  const warningMs = Number(dialog.dataset.warningSeconds) * 1000;
  const keepAliveUrl = dialog.dataset.keepAliveUrl;
  const stayForm = dialog.querySelector("form[data-ecm-stay-signed-in]");
  const token = stayForm.querySelector("input[name=csrfmiddlewaretoken]").value;
  // Tell the server about activity at most this often (a sixth of the limit, at most a minute).
  const pingEveryMs = Math.min(60000, idleMs / 6);

  let deadline = Date.now() + Number(dialog.dataset.secondsLeft) * 1000;
  let lastPing = Date.now();
  let lastActivity = 0;
  let pinging = false;
  let finished = false;

  function update(state) {
    deadline = Date.now() + state.seconds_left * 1000;
    document.querySelectorAll("[data-ecm-signed-out-at]").forEach((element) => {
      element.textContent = state.signed_out_at;
    });
  }

  function backToServer() {
    // A plain GET of this page: the server says why the user was signed out and, after they
    // sign in, brings them back here (with what they typed, where the page keeps drafts).
    finished = true;
    window.location.assign(window.location.href);
  }

  async function post(url, body, options = {}) {
    const response = await fetch(url, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      // A redirect means signed out already (to the sign-in page). It is not followed here,
      // so the page the browser opens next is the one that says why.
      redirect: "manual",
      ...options,
    });
    if (response.type === "opaqueredirect") {
      backToServer();
      return;
    }
    // Anything else that is not the answer (a refusal) is left alone, so nothing on the page
    // is lost: the form is still there to submit.
    if (!isJson(response)) return;
    update(await response.json());
  }

  async function keepAlive() {
    pinging = true;
    lastPing = Date.now();
    const body = new FormData();
    body.append("csrfmiddlewaretoken", token);
    try {
      await post(keepAliveUrl, body);
    } catch {
      // Offline for a moment: the warning still comes, and "Stay signed in" tries again.
    } finally {
      pinging = false;
    }
  }

  // --- Drafts ---------------------------------------------------------------------------
  const config = document.getElementById("ecm-drafts");
  const form = config ? draftForm(config) : null;
  let saveTimer = null;
  let unsaved = false;
  let submitting = false;
  let saving = null;

  async function saveDraft() {
    saveTimer = null;
    if (!unsaved || submitting) return;
    unsaved = false;
    lastPing = Date.now(); // keeping a draft restarts the idle clock too
    const body = new FormData(form);
    body.set("ecm_draft_key", config.dataset.key);
    saving = new AbortController();
    try {
      await post(config.dataset.saveUrl, body, { signal: saving.signal });
    } catch {
      unsaved = !submitting; // try again with the next change
    } finally {
      saving = null;
    }
  }

  if (form) {
    form.addEventListener("input", () => {
      unsaved = true;
      if (!saveTimer) saveTimer = window.setTimeout(saveDraft, SAVE_DELAY_MS);
    });
    form.addEventListener("submit", () => {
      // The form itself is being saved: no draft may land after it.
      submitting = true;
      window.clearTimeout(saveTimer);
      if (saving) saving.abort();
    });
  }

  // --- The warning ----------------------------------------------------------------------
  function onActivity() {
    if (dialog.open || finished) return;
    lastActivity = Date.now();
    if (!pinging && Date.now() - lastPing > pingEveryMs) keepAlive();
  }
  ["keydown", "input", "pointerdown"].forEach((type) => {
    document.addEventListener(type, onActivity, { capture: true, passive: true });
  });

  stayForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    await keepAlive();
    if (dialog.open) dialog.close();
  });
  // Escape closes the dialog: take it as "Stay signed in", as the HMRC pattern does.
  dialog.addEventListener("cancel", () => {
    keepAlive();
  });

  async function timeRanOut() {
    finished = true;
    if (form && !submitting) {
      unsaved = true;
      window.clearTimeout(saveTimer);
      try {
        await saveDraft(); // arrives after the limit: the server keeps it as the draft
      } catch {
        // Nothing more to do: the last draft kept while typing is still there.
      }
    }
    backToServer();
  }

  const clock = window.setInterval(() => {
    if (finished || submitting) return;
    const left = deadline - Date.now();
    if (left <= -GRACE_MS) {
      window.clearInterval(clock);
      timeRanOut();
    } else if (left <= warningMs && !dialog.open) {
      if (lastActivity > lastPing) {
        if (!pinging) keepAlive(); // activity since the last word with the server
      } else if (left > 0) {
        dialog.showModal();
      }
    }
  }, 500);
}

if (dialog && typeof dialog.showModal === "function") {
  start();
}
