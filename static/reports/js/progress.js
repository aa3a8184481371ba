// Progress without reloading (report runs, exchange imports): polls the status URL and updates
// the bar and its text, then reloads the page once the work has finished (to show the outcome
// or the reason it failed). Without JavaScript, a <noscript> meta refresh reloads the whole
// page instead.
//
// The first look is soon and the wait then doubles up to a steady interval: a report at a
// trial's size is ready in about a second, and its requester should not wait two more.
const FIRST_POLL_MILLISECONDS = 500;
const POLL_MILLISECONDS = 2000;

function start(container) {
  const url = container.dataset.statusUrl;
  const bar = container.querySelector("progress");
  const text = container.querySelector("[data-progress-text]");
  const status = container.querySelector("[data-progress-status]");
  if (!url || !bar || !text) {
    return;
  }

  let wait = FIRST_POLL_MILLISECONDS;

  function pollLater() {
    window.setTimeout(poll, wait);
    wait = Math.min(wait * 2, POLL_MILLISECONDS);
  }

  async function poll() {
    try {
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) {
        throw new Error(`status ${response.status}`);
      }
      const run = await response.json();
      // A null progress is work that cannot count how far it has got: the bar stays
      // indeterminate and only the text changes.
      const counted = run.progress !== null;
      const message = counted ? `${run.progress}% – ${run.progress_text}` : run.progress_text;
      // Only real changes, so screen readers are not told the same thing every poll.
      if (text.textContent !== message) {
        if (counted) {
          bar.value = run.progress;
          bar.textContent = `${run.progress}%`;
        }
        text.textContent = message;
      }
      if (status && status.textContent !== run.status_label) {
        status.textContent = run.status_label;
      }
      if (run.finished) {
        window.location.reload();
        return;
      }
    } catch (error) {
      // A missed poll is not an error the user needs to see; try again shortly.
    }
    pollLater();
  }

  pollLater();
}

document
  .querySelectorAll('[data-module="ecm-report-progress"]')
  .forEach((container) => start(container));
