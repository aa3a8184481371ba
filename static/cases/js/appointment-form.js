// The appointment form: choosing an attendance other than "Attended" sets engagement back
// to "Not rated" straight away, as the server does when the form is saved. Without this
// script the page works the same; only the rating is cleared on saving instead.
const form = document.querySelector("form[data-appointment-form]");

if (form) {
  const notRated = form.querySelector('input[name="engagement"][value="not_rated"]');
  form.querySelectorAll('input[name="attendance"]').forEach((radio) => {
    radio.addEventListener("change", () => {
      if (radio.checked && radio.value !== "attended" && notRated) {
        notRated.checked = true;
      }
    });
  });
}

// Choosing the kind of contact fills in its usual duration, unless the practitioner has typed
// another. Without this script an empty duration is saved as the kind's usual one.
const duration = form && form.querySelector('input[name="duration_minutes"]');

if (duration && duration.dataset.defaultDurations) {
  const usual = JSON.parse(duration.dataset.defaultDurations);
  const isUsual = () => Object.values(usual).map(String).includes(duration.value);
  const fill = (kind) => {
    if (kind in usual && (duration.value === "" || isUsual())) {
      duration.value = String(usual[kind]);
    }
  };
  form.querySelectorAll('input[name="kind"]').forEach((radio) => {
    radio.addEventListener("change", () => {
      if (radio.checked) fill(radio.value);
    });
    if (radio.checked && duration.value === "") fill(radio.value);
  });
}
